/* store.c: what both backends share: choosing one, job-lease settings, cleanup helpers. */
#include "store/store.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core/log.h"

int store_is_pg(const char *where)
{
    return where && (strncmp(where, "postgresql://", 13) == 0 ||
                     strncmp(where, "postgres://", 11) == 0);
}

void store_where_for_humans(const char *where, char *out, size_t cap)
{
    const char *scheme = strstr(where, "://");
    const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
    const char *colon = scheme ? strchr(scheme + 3, ':') : NULL;

    if (at && colon && colon < at)
        snprintf(out, cap, "%.*s:***%s", (int)(colon - where), where, at);
    else
        snprintf(out, cap, "%s", where);
}

int store_open(const char *where, struct store **out, struct err *err)
{
    if (store_is_pg(where))
        return store_open_pg(where, out, err);
    return store_open_sqlite(where, out, err);
}

static _Atomic uint64_t local_bumps;

uint64_t store_local_bumps(void)
{
    return atomic_load(&local_bumps);
}

void store_note_bump(void)
{
    atomic_fetch_add(&local_bumps, 1);
}

int64_t store_job_lease(void)
{
    const char *v = getenv("GAZETTE_JOB_LEASE");
    char *end;
    long n;

    if (!v || !*v)
        return 60;
    n = strtol(v, &end, 10);
    return *end || n < 1 || n > 86400 ? 60 : n;
}

/* This host's name as owner names carry it. */
static void host_name(char host[64])
{
    if (gethostname(host, 64) != 0)
        snprintf(host, 64, "host");
    host[63] = '\0';
}

void store_owner_init(struct store *st)
{
    char host[64];
    unsigned char r[6];
    char hex[sizeof r * 2 + 1];

    host_name(host);
    randombytes_buf(r, sizeof r);
    sodium_bin2hex(hex, sizeof hex, r, sizeof r);
    snprintf(st->owner, sizeof st->owner, "%s:%ld:%s", host, (long)getpid(), hex);
}

int store_owner_gone(const char *owner)
{
    char host[64];
    size_t hl;
    long pid;

    host_name(host);
    hl = strlen(host);
    if (strncmp(owner, host, hl) != 0 || owner[hl] != ':')
        return 0;
    pid = strtol(owner + hl + 1, NULL, 10);
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

void store_rollback(struct store *st)
{
    struct err err = { 0 };

    if (st && st->ops->tx_rollback(st, &err) != GZ_OK)
        log_warn("store", "cannot roll back: %s", err.msg);
}

void store_close(struct store *st)
{
    const struct store_ops *ops = st ? st->ops : NULL;

    if (ops) /* close returns nothing: there is no result to check */
        ops->close(st);
}
