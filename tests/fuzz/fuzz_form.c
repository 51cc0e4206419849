/* Fuzz target: request input decoders (form bodies, Range, redirect targets). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct form f = { 0 };
    char *s = malloc(size + 1);
    uint64_t a, z;

    memcpy(s, data, size);
    s[size] = '\0';
    if (form_parse(&f, s, size) == GZ_OK) {
        for (size_t i = 0; i < f.n; i++)
            if (!f.f[i].name || !f.f[i].value)
                abort();
        form_release(&f);
    }
    if (range_parse(s, 1000, &a, &z) == RANGE_OK && (a > z || z >= 1000))
        abort();
    if (form_local_path(s)[0] != '/')
        abort();
    free(s);
    return 0;
}
