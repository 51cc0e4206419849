#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static enum log_level min_level = LOG_INFO;
static int as_json;

void log_set_level(enum log_level lvl)
{
    min_level = lvl;
}

void log_set_json(int json)
{
    as_json = json;
}

int log_level_parse(const char *name, enum log_level *lvl)
{
    static const char *const names[] = { "debug", "info", "warn", "error" };
    for (int i = 0; i < 4; i++)
        if (strcmp(name, names[i]) == 0) {
            *lvl = (enum log_level)i;
            return GZ_OK;
        }
    return GZ_EINVAL;
}

/* The message as a JSON string body: quotes, backslashes and control bytes escaped. */
static void json_line(const char *ts, const char *lvl, const char *mod, const char *msg)
{
    char out[2300];
    size_t n = 0;
    int k = snprintf(out, sizeof out, "{\"time\":\"%s\",\"level\":\"%s\",\"module\":\"%s\",\"msg\":\"",
                     ts, lvl, mod);
    if (k < 0 || (size_t)k >= sizeof out)
        return;
    n = (size_t)k;
    for (const unsigned char *p = (const unsigned char *)msg; *p && n + 8 < sizeof out; p++) {
        if (*p == '"' || *p == '\\') {
            out[n++] = '\\';
            out[n++] = (char)*p;
        } else if (*p < 0x20) {
            n += (size_t)snprintf(out + n, sizeof out - n, "\\u%04x", *p);
        } else {
            out[n++] = (char)*p;
        }
    }
    out[n] = '\0';
    fprintf(stderr, "%s\"}\n", out);
}

static void log_v(enum log_level lvl, const char *mod, const char *fmt, va_list ap) GZ_PRINTF(3, 0);

static void log_v(enum log_level lvl, const char *mod, const char *fmt, va_list ap)
{
    static const char *const names[] = { "DEBUG", "INFO", "WARN", "ERROR" };
    char line[1024], ts[32];
    struct tm tm;
    time_t now;
    int n;

    now = time(NULL);
    gmtime_r(&now, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    n = as_json ? 0 : snprintf(line, sizeof line, "%s %s %s ", ts, names[lvl], mod);
    if (n < 0 || (size_t)n >= sizeof line)
        return;
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    if (as_json) {
        json_line(ts, names[lvl], mod, line);
        return;
    }
    fprintf(stderr, "%s\n", line); /* one write per line keeps threads from interleaving */
}

void log_msg(enum log_level lvl, const char *mod, const char *fmt, ...)
{
    va_list ap;

    if (lvl < min_level)
        return;
    va_start(ap, fmt);
    log_v(lvl, mod, fmt, ap);
    va_end(ap);
}

void log_always(enum log_level lvl, const char *mod, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_v(lvl, mod, fmt, ap);
    va_end(ap);
}
