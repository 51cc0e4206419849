#include "core/embed.h"

#include <string.h>

const struct embed_file *embed_find(const struct embed_file *files, size_t n, const char *base)
{
    size_t bl = strlen(base);

    for (size_t i = 0; i < n; i++) {
        size_t nl = strlen(files[i].name);
        if (nl >= bl && strcmp(files[i].name + nl - bl, base) == 0 &&
            (nl == bl || files[i].name[nl - bl - 1] == '/'))
            return &files[i];
    }
    return NULL;
}
