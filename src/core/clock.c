#include "core/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int64_t clock_now(void)
{
    const char *path = getenv("GAZETTE_CLOCK_FILE");
    int64_t now = (int64_t)time(NULL);
    FILE *f;
    long long off = 0;
    char line[32];

    if (!path || !*path)
        return now;
    f = fopen(path, "r");
    if (!f)
        return now;
    if (fgets(line, sizeof line, f))
        off = strtoll(line, NULL, 10);
    fclose(f);
    return now + (int64_t)off;
}
