/* fault.c: the failing VFS behind fault.h. */
#include "fault.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <check.h>
#include <sqlite3.h>

struct ffile {
    sqlite3_file base;  /* pMethods = &fmethods */
    sqlite3_file *real; /* follows this struct in the same allocation */
};

static sqlite3_vfs fvfs, *rvfs;
static sqlite3_io_methods fmethods;
static enum fault_kind kind;
static int budget, hits;

void fault_arm(enum fault_kind k, int after_writes)
{
    kind = k;
    budget = after_writes;
    hits = 0;
}

void fault_disarm(void)
{
    kind = FAULT_NONE;
}

int fault_hits(void)
{
    return hits;
}

/* 0: let the write through; else the SQLite error to answer. */
static int failing(void)
{
    if (kind == FAULT_NONE)
        return 0;
    if (budget > 0) {
        budget--;
        return 0;
    }
    hits++;
    return kind == FAULT_FULL ? SQLITE_FULL : SQLITE_IOERR_WRITE;
}

#define REAL(f) (((struct ffile *)(f))->real)

static int f_close(sqlite3_file *f)
{
    return REAL(f)->pMethods->xClose(REAL(f));
}
static int f_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
    return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}
static int f_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    int rc = failing();
    return rc ? rc : REAL(f)->pMethods->xWrite(REAL(f), p, n, off);
}
static int f_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int rc = failing();
    return rc ? rc : REAL(f)->pMethods->xTruncate(REAL(f), size);
}
static int f_sync(sqlite3_file *f, int flags)
{
    return REAL(f)->pMethods->xSync(REAL(f), flags);
}
static int f_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return REAL(f)->pMethods->xFileSize(REAL(f), size);
}
static int f_lock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xLock(REAL(f), l);
}
static int f_unlock(sqlite3_file *f, int l)
{
    return REAL(f)->pMethods->xUnlock(REAL(f), l);
}
static int f_check(sqlite3_file *f, int *out)
{
    return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}
static int f_fctl(sqlite3_file *f, int op, void *arg)
{
    return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}
static int f_sector(sqlite3_file *f)
{
    return REAL(f)->pMethods->xSectorSize(REAL(f));
}
static int f_dev(sqlite3_file *f)
{
    return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}
static int f_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **pp)
{
    return REAL(f)->pMethods->xShmMap(REAL(f), pg, pgsz, extend, pp);
}
static int f_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return REAL(f)->pMethods->xShmLock(REAL(f), offset, n, flags);
}
static void f_shm_barrier(sqlite3_file *f)
{
    REAL(f)->pMethods->xShmBarrier(REAL(f));
}
static int f_shm_unmap(sqlite3_file *f, int del)
{
    return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}
static int f_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
    *pp = NULL; /* no memory-mapped pages: every write goes through f_write */
    (void)f;
    (void)off;
    (void)n;
    return SQLITE_OK;
}
static int f_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    (void)f;
    (void)off;
    (void)p;
    return SQLITE_OK;
}

static int f_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out)
{
    struct ffile *ff = (struct ffile *)file;
    int rc;

    (void)vfs;
    ff->real = (sqlite3_file *)(ff + 1);
    rc = rvfs->xOpen(rvfs, name, ff->real, flags, out);
    ff->base.pMethods = ff->real->pMethods ? &fmethods : NULL;
    return rc;
}
static int f_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return rvfs->xDelete(rvfs, name, sync);
}
static int f_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return rvfs->xAccess(rvfs, name, flags, out);
}
static int f_full(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return rvfs->xFullPathname(rvfs, name, n, out);
}
static int f_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return rvfs->xRandomness(rvfs, n, out);
}
static int f_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return rvfs->xSleep(rvfs, us);
}
static int f_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return rvfs->xCurrentTime(rvfs, out);
}
static int f_lasterr(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return rvfs->xGetLastError(rvfs, n, out);
}
static int f_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return rvfs->xCurrentTimeInt64(rvfs, out);
}

/* Register the failing VFS as the default one, once per process. */
static void install(void)
{
    if (rvfs)
        return;
    rvfs = sqlite3_vfs_find(NULL);
    ck_assert_ptr_nonnull(rvfs);
    fmethods.iVersion = 3;
    fmethods.xClose = f_close;
    fmethods.xRead = f_read;
    fmethods.xWrite = f_write;
    fmethods.xTruncate = f_truncate;
    fmethods.xSync = f_sync;
    fmethods.xFileSize = f_size;
    fmethods.xLock = f_lock;
    fmethods.xUnlock = f_unlock;
    fmethods.xCheckReservedLock = f_check;
    fmethods.xFileControl = f_fctl;
    fmethods.xSectorSize = f_sector;
    fmethods.xDeviceCharacteristics = f_dev;
    fmethods.xShmMap = f_shm_map;
    fmethods.xShmLock = f_shm_lock;
    fmethods.xShmBarrier = f_shm_barrier;
    fmethods.xShmUnmap = f_shm_unmap;
    fmethods.xFetch = f_fetch;
    fmethods.xUnfetch = f_unfetch;
    fvfs.iVersion = 2;
    fvfs.szOsFile = (int)sizeof(struct ffile) + rvfs->szOsFile;
    fvfs.mxPathname = rvfs->mxPathname;
    fvfs.zName = "gzfault";
    fvfs.xOpen = f_open;
    fvfs.xDelete = f_delete;
    fvfs.xAccess = f_access;
    fvfs.xFullPathname = f_full;
    fvfs.xDlOpen = NULL;
    fvfs.xRandomness = f_random;
    fvfs.xSleep = f_sleep;
    fvfs.xCurrentTime = f_time;
    fvfs.xGetLastError = f_lasterr;
    fvfs.xCurrentTimeInt64 = f_time64;
    ck_assert_int_eq(sqlite3_vfs_register(&fvfs, 1), SQLITE_OK);
}

struct store *fault_store_open(char dir[64])
{
    struct store *st = NULL;
    struct err err = { 0 };
    char path[96];

    install();
    fault_disarm();
    snprintf(dir, 64, "/tmp/gz-fault-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_msg(store_open_sqlite(path, &st, &err) == GZ_OK, "%s", err.msg);
    return st;
}

void fault_store_close(struct store *st, const char *dir)
{
    char cmd[128];

    fault_disarm();
    store_close(st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

void *fault_lock(const char *dir)
{
    sqlite3 *db = NULL;
    char path[96];

    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_int_eq(sqlite3_open(path, &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    return db;
}

void fault_unlock(void *db)
{
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
}

/* ---- failing store calls: st's function table is copied and the writing entries wrapped ---- */

static struct store_ops patched;
static const struct store_ops *orig;
static int call_budget = -1, call_code, calls_made;

/* 1 when this call is the one to fail. */
static int call_fails(void)
{
    calls_made++;
    if (call_budget < 0)
        return 0;
    if (call_budget-- > 0)
        return 0;
    call_budget = -1; /* once */
    return 1;
}

#define INJECT(err) err_set((err), call_code, "injected failure (call %d)", calls_made)

#define WRAP(name, params, args)                             \
    static int w_##name params                               \
    {                                                        \
        return call_fails() ? INJECT(err) : orig->name args; \
    }

WRAP(user_create,
     (struct store * st, const char *a, const char *b, const char *c, const char *d, const char *e,
      int64_t now, int64_t *id, struct err *err),
     (st, a, b, c, d, e, now, id, err))
WRAP(user_update, (struct store * st, const struct user *u, struct err *err), (st, u, err))
WRAP(user_set_prefs, (struct store * st, int64_t id, int fs, double rate, struct err *err),
     (st, id, fs, rate, err))
WRAP(user_set_role, (struct store * st, int64_t id, enum user_role role, struct err *err),
     (st, id, role, err))
WRAP(user_delete, (struct store * st, int64_t id, struct err *err), (st, id, err))
WRAP(session_put,
     (struct store * st, int64_t uid, const unsigned char *d, int64_t now, int64_t exp,
      const char *series, const char *ua, const char *ip, struct err *err),
     (st, uid, d, now, exp, series, ua, ip, err))
WRAP(session_delete, (struct store * st, const unsigned char *d, struct err *err), (st, d, err))
WRAP(session_delete_user, (struct store * st, int64_t uid, struct err *err), (st, uid, err))
WRAP(session_delete_series, (struct store * st, const char *s, struct err *err), (st, s, err))
WRAP(remember_put,
     (struct store * st, const char *sel, int64_t uid, const unsigned char *vd, int64_t now,
      int64_t exp, const char *ua, struct err *err),
     (st, sel, uid, vd, now, exp, ua, err))
WRAP(remember_rotate,
     (struct store * st, const char *sel, const unsigned char *vd, int64_t now, struct err *err),
     (st, sel, vd, now, err))
WRAP(remember_delete, (struct store * st, const char *sel, struct err *err), (st, sel, err))
WRAP(remember_delete_user, (struct store * st, int64_t uid, struct err *err), (st, uid, err))
WRAP(reset_put,
     (struct store * st, const unsigned char *d, int64_t uid, int64_t exp, struct err *err),
     (st, d, uid, exp, err))
WRAP(reset_take,
     (struct store * st, const unsigned char *d, int64_t now, int64_t *uid, struct err *err),
     (st, d, now, uid, err))
WRAP(sms_put,
     (struct store * st, const char *phone, const unsigned char *d, int64_t exp, struct err *err),
     (st, phone, d, exp, err))
WRAP(sms_attempt, (struct store * st, const char *phone, struct err *err), (st, phone, err))
WRAP(sms_delete, (struct store * st, const char *phone, struct err *err), (st, phone, err))
WRAP(rate_add, (struct store * st, const char *key, int64_t now, struct err *err),
     (st, key, now, err))
WRAP(rate_clear, (struct store * st, const char *key, struct err *err), (st, key, err))
WRAP(audit_add,
     (struct store * st, int64_t uid, int64_t now, const char *ev, const char *ip,
      const char *detail, struct err *err),
     (st, uid, now, ev, ip, detail, err))
WRAP(story_put, (struct store * st, const struct story *s, int64_t *id, struct err *err),
     (st, s, id, err))
WRAP(job_add,
     (struct store * st, int64_t sid, const char *lang, const char *audio, int64_t now, int64_t *id,
      struct err *err),
     (st, sid, lang, audio, now, id, err))
WRAP(attempt_put,
     (struct store * st, int64_t qid, const char *who, const char *answers, int64_t score,
      int64_t now, struct err *err),
     (st, qid, who, answers, score, now, err))
WRAP(image_put,
     (struct store * st, const char *name, int64_t sid, const char *sizes, const char *alt,
      const char *caption, int64_t now, struct err *err),
     (st, name, sid, sizes, alt, caption, now, err))
WRAP(story_set_lead, (struct store * st, int64_t sid, const char *name, struct err *err),
     (st, sid, name, err))
/* A failed commit closes the transaction, as the real one does. */
static int w_tx_commit(struct store *st, struct err *err)
{
    struct err e2 = { 0 };

    if (!call_fails())
        return orig->tx_commit(st, err);
    if (orig->tx_rollback(st, &e2) != GZ_OK)
        ck_abort_msg("rollback after an injected commit failure: %s", e2.msg);
    return INJECT(err);
}

void fault_calls(struct store *st, int after_calls, int code)
{
    if (!orig) {
        orig = st->ops;
        patched = *orig;
        patched.user_create = w_user_create;
        patched.user_update = w_user_update;
        patched.user_set_prefs = w_user_set_prefs;
        patched.user_set_role = w_user_set_role;
        patched.user_delete = w_user_delete;
        patched.session_put = w_session_put;
        patched.session_delete = w_session_delete;
        patched.session_delete_user = w_session_delete_user;
        patched.session_delete_series = w_session_delete_series;
        patched.remember_put = w_remember_put;
        patched.remember_rotate = w_remember_rotate;
        patched.remember_delete = w_remember_delete;
        patched.remember_delete_user = w_remember_delete_user;
        patched.reset_put = w_reset_put;
        patched.reset_take = w_reset_take;
        patched.sms_put = w_sms_put;
        patched.sms_attempt = w_sms_attempt;
        patched.sms_delete = w_sms_delete;
        patched.rate_add = w_rate_add;
        patched.rate_clear = w_rate_clear;
        patched.audit_add = w_audit_add;
        patched.story_put = w_story_put;
        patched.job_add = w_job_add;
        patched.attempt_put = w_attempt_put;
        patched.image_put = w_image_put;
        patched.story_set_lead = w_story_set_lead;
        patched.tx_commit = w_tx_commit;
    }
    st->ops = &patched;
    call_budget = after_calls;
    call_code = code;
    calls_made = 0;
}

int fault_calls_made(void)
{
    return calls_made;
}
