#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

void log_msg(enum log_level lvl, const char *mod, const char *fmt, ...)
{
    static const char *const names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
    char line[1024], ts[32];
    struct tm tm;
    time_t now;
    va_list ap;
    int n;

    if (lvl < min_level)
        return;
    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    n = snprintf(line, sizeof line, "%s %s %s ", ts, names[lvl], mod);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line); /* one write per line keeps threads from interleaving */
}
