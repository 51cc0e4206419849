/* Fuzz target: the HTML escapers never let a raw < > " ' through. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "render/html.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct buf b;
    char *s = malloc(size + 1);

    memcpy(s, data, size);
    s[size] = '\0';
    buf_init(&b, 0);
    html_text(&b, s, size);
    if (memchr(b.data ? b.data : "", '<', b.len) || memchr(b.data ? b.data : "", '>', b.len) ||
        memchr(b.data ? b.data : "", '"', b.len) || memchr(b.data ? b.data : "", '\'', b.len))
        abort();
    buf_truncate(&b, 0);
    html_url(&b, s);
    if (memchr(b.data, '"', b.len) || memchr(b.data, '<', b.len))
        abort();
    buf_truncate(&b, 0);
    html_json(&b, s, size);
    if (memchr(b.data ? b.data : "", '<', b.len))
        abort();
    buf_release(&b);
    free(s);
    return 0;
}
