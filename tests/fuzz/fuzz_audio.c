/* Fuzz target: the aligner's audio front end (libsndfile decode, downmix, resample,
 * streaming features) on arbitrary bytes, through a memory file. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#include "align/align.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct align_audio *a = NULL;
    struct err err = { 0 };
    char path[64];
    int fd = memfd_create("fuzz", 0);

    if (fd < 0)
        return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        if (align_audio_open(path, &a, &err) == GZ_OK) {
            if (align_audio_seconds(a) < 0)
                __builtin_trap();
            align_audio_free(a);
        } else if (err.msg[0] == '\0') {
            __builtin_trap(); /* every failure says why */
        }
    }
    close(fd);
    return 0;
}
