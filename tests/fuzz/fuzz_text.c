/* Fuzz target: UTF-8 checks and the sentence splitter on valid UTF-8. */
#include <stdint.h>
#include <stdlib.h>

#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct str out[64];
    size_t n, total = 0;

    if (!utf8_valid(s, size))
        return 0;
    n = text_split(s, size, out, 64);
    for (size_t i = 0; i < n && i < 64; i++) {
        if (out[i].len == 0 || out[i].p < s || out[i].p + out[i].len > s + size)
            abort();
        total += out[i].len;
    }
    if (n <= 64 && total > size)
        abort();
    return 0;
}
