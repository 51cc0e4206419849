/*
 * store.h: the one storage interface. Handlers call store_* only; a backend is a struct
 * store_ops: store_sqlite.c (embedded, one server) or store_pg.c (PostgreSQL, any number of
 * servers on one database). A struct store is one connection: use it from one thread at a
 * time.
 * Every function returns GZ_OK or a negative GZ_E* code with detail in err, and the compiler
 * refuses a caller that ignores it (GZ_MUST_CHECK). Outputs are owned by the caller (release
 * them with the model/story.h functions).
 * Errors: GZ_EFULL when the disk or database is full, GZ_EBUSY when another writer held the
 * database past the busy timeout, GZ_EDB for anything else the database refused. A write
 * answers GZ_OK only once it is committed (or, inside tx_begin … tx_commit, once it is part
 * of the open transaction).
 * Transactions: a flow that writes more than once (src/service) wraps its reads and writes
 * in tx_begin … tx_commit, or store_rollback on any failure. Functions that open a
 * transaction of their own (story_put, quiz_put, story_set_status, publish_due) join the
 * open one instead. Transactions do not nest.
 */
#ifndef GZ_STORE_STORE_H
#define GZ_STORE_STORE_H

#include <stdint.h>

#include "core/gz.h"
#include "model/story.h"
#include "model/user.h"

struct store;

/* The job queue as /readyz judges it: stuck when work waits while nothing happens. */
struct job_backlog {
    int64_t waiting;  /* jobs a worker could claim: queued, or running under a lapsed lease */
    int64_t oldest_s; /* seconds since the oldest of them was added; 0 when none waits */
    int64_t idle_s;   /* seconds since any job was claimed, reported progress or ended; -1: never */
};

struct store_ops {
    /* BEGIN IMMEDIATE: takes the write lock now, so a flow never fails half-way for a lock.
     * GZ_EBUSY when another writer holds it past the busy timeout; GZ_EINVAL when a
     * transaction is already open (a programmer error). */
    GZ_MUST_CHECK int (*tx_begin)(struct store *st, struct err *err);
    /* Commit: GZ_OK means every write since tx_begin is in the database. On failure
     * (GZ_EFULL, GZ_EBUSY, GZ_EDB) nothing is, and the transaction is closed. */
    GZ_MUST_CHECK int (*tx_commit)(struct store *st, struct err *err);
    /* Undo everything since tx_begin; GZ_OK (nothing to do) when no transaction is open.
     * Call it through store_rollback. */
    GZ_MUST_CHECK int (*tx_rollback)(struct store *st, struct err *err);
    /* A number that changes whenever content changes, in any process: caches key on it. */
    GZ_MUST_CHECK int (*generation)(struct store *st, int64_t *out, struct err *err);
    GZ_MUST_CHECK int (*sections)(struct store *st, struct section_list *out, struct err *err);
    /* Newest first; section_slug NULL for all sections. */
    GZ_MUST_CHECK int (*latest)(struct store *st, const char *section_slug, int limit, struct brief_list *out,
                  struct err *err);
    /* Same section or a shared tag, newest first, never the story itself. */
    GZ_MUST_CHECK int (*related)(struct store *st, int64_t id, int limit, struct brief_list *out,
                   struct err *err);
    /* GZ_ENOTFOUND when there is no such story. */
    GZ_MUST_CHECK int (*story_get)(struct store *st, int64_t id, struct story **out, struct err *err);
    /* Insert, or replace the story with the same slug; all or nothing. With s->version > 0 the
     * stored version must still be s->version (else GZ_ECONFLICT: someone saved meanwhile).
     * OUT: *id; s->version is not changed, read the new one back with story_get. */
    GZ_MUST_CHECK int (*story_put)(struct store *st, const struct story *s, int64_t *id, struct err *err);
    GZ_MUST_CHECK int (*story_count)(struct store *st, int64_t *out, struct err *err);
    /* Stories whose headline, standfirst or text holds q (any language), newest first. */
    GZ_MUST_CHECK int (*search)(struct store *st, const char *q, int limit, struct brief_list *out,
                  struct err *err);
    /* GZ_ENOTFOUND when there is no quiz. */
    GZ_MUST_CHECK int (*quiz_latest)(struct store *st, struct quiz_brief *out, struct err *err);
    /* Insert or replace (by slug) a quiz; bumps the content generation. OUT: *id. */
    GZ_MUST_CHECK int (*quiz_put)(struct store *st, const char *slug, const char *title_zh,
                    const char *title_en, int64_t published, const char *body, int64_t *id,
                    struct err *err);
    /* GZ_ENOTFOUND when absent. OUT: *brief (titles, date), body appended to out. */
    GZ_MUST_CHECK int (*quiz_get)(struct store *st, int64_t id, struct quiz_brief *brief, struct buf *body,
                    struct err *err);
    /* A reader's attempt: GZ_ENOTFOUND when none; answers (JSON) appended to out. */
    GZ_MUST_CHECK int (*attempt_get)(struct store *st, int64_t quiz_id, const char *who, struct buf *answers,
                       int64_t *score, struct err *err);
    /* GZ_ECONFLICT when the reader already answered. */
    GZ_MUST_CHECK int (*attempt_put)(struct store *st, int64_t quiz_id, const char *who, const char *answers,
                       int64_t score, int64_t now, struct err *err);
    /* Whether a published story uses the media file name: GZ_ENOTFOUND when no story uses
     * it. OUT: *published (0: only drafts or scheduled stories do). */
    GZ_MUST_CHECK int (*media_published)(struct store *st, const char *name, int *published,
                                         struct err *err);
    /* GZ_ENOTFOUND when no story has the slug. */
    GZ_MUST_CHECK int (*story_by_slug)(struct store *st, const char *slug, int64_t *id, struct err *err);
    /* Site settings (e.g. the secret for signed tokens). get: GZ_ENOTFOUND when unset. */
    GZ_MUST_CHECK int (*setting_get)(struct store *st, const char *key, struct buf *out, struct err *err);
    GZ_MUST_CHECK int (*setting_put)(struct store *st, const char *key, const char *value, struct err *err);

    /* ---- accounts (digests are AUTH_DIGEST_LEN bytes; times are clock_now() seconds) ---- */
    /* GZ_ECONFLICT with err->msg "email", "username" or "phone" when that one is taken. */
    GZ_MUST_CHECK int (*user_create)(struct store *st, const char *email, const char *username,
                       const char *pw_hash, const char *phone, const char *agreed_version,
                       int64_t now, int64_t *id, struct err *err);
    /* GZ_ENOTFOUND when absent. by_login matches e-mail or username, case-insensitively. */
    GZ_MUST_CHECK int (*user_get)(struct store *st, int64_t id, struct user *out, struct err *err);
    GZ_MUST_CHECK int (*user_by_login)(struct store *st, const char *login, struct user *out, struct err *err);
    GZ_MUST_CHECK int (*user_by_phone)(struct store *st, const char *phone, struct user *out, struct err *err);
    /* Write email, username, pw_hash, phone, font_size, rate of u. GZ_ECONFLICT as create. */
    GZ_MUST_CHECK int (*user_update)(struct store *st, const struct user *u, struct err *err);
    /* Write the reading preferences only (font_size 0 or rate 0 keeps that one), never the
     * sign-in columns: a password changed meanwhile stays. GZ_ENOTFOUND when no such account. */
    GZ_MUST_CHECK int (*user_set_prefs)(struct store *st, int64_t id, int font_size, double rate,
                                        struct err *err);
    GZ_MUST_CHECK int (*user_set_role)(struct store *st, int64_t id, enum user_role role,
                                       struct err *err);
    GZ_MUST_CHECK int (*user_delete)(struct store *st, int64_t id, struct err *err);

    GZ_MUST_CHECK int (*session_put)(struct store *st, int64_t user_id, const unsigned char *digest,
                       int64_t now, int64_t expires, const char *series, const char *ua,
                       const char *ip, struct err *err);
    /* GZ_ENOTFOUND when absent or expired. OUT: *user_id, *session_id. Reads only. */
    GZ_MUST_CHECK int (*session_find)(struct store *st, const unsigned char *digest, int64_t now,
                        int64_t *user_id, int64_t *session_id, struct err *err);
    /* Record that session id was used at now (shown on the account page). */
    GZ_MUST_CHECK int (*session_touch)(struct store *st, int64_t session_id, int64_t now,
                                       struct err *err);
    GZ_MUST_CHECK int (*session_delete)(struct store *st, const unsigned char *digest, struct err *err);
    GZ_MUST_CHECK int (*session_delete_id)(struct store *st, int64_t user_id, int64_t session_id,
                             struct err *err);
    GZ_MUST_CHECK int (*session_delete_user)(struct store *st, int64_t user_id, struct err *err);
    GZ_MUST_CHECK int (*session_delete_series)(struct store *st, const char *series, struct err *err);
    GZ_MUST_CHECK int (*session_list)(struct store *st, int64_t user_id, const unsigned char *current,
                        int64_t now, struct session_list *out, struct err *err);

    GZ_MUST_CHECK int (*remember_put)(struct store *st, const char *selector, int64_t user_id,
                        const unsigned char *vdigest, int64_t now, int64_t expires,
                        const char *ua, struct err *err);
    /* GZ_ENOTFOUND when absent. OUT: *user_id, vdigest (AUTH_DIGEST_LEN), *expires, and the
     * verifier before the last rotation (prev, all zero when none) with its time *rotated. */
    GZ_MUST_CHECK int (*remember_get)(struct store *st, const char *selector, int64_t *user_id,
                                      unsigned char *vdigest, int64_t *expires,
                                      unsigned char *prev, int64_t *rotated, struct err *err);
    /* Replace the verifier; the old one becomes prev, rotated = now. */
    GZ_MUST_CHECK int (*remember_rotate)(struct store *st, const char *selector,
                                         const unsigned char *vdigest, int64_t now,
                                         struct err *err);
    GZ_MUST_CHECK int (*remember_delete)(struct store *st, const char *selector, struct err *err);
    GZ_MUST_CHECK int (*remember_delete_user)(struct store *st, int64_t user_id, struct err *err);

    GZ_MUST_CHECK int (*reset_put)(struct store *st, const unsigned char *digest, int64_t user_id,
                     int64_t expires, struct err *err);
    /* Mark used and return its user, once: GZ_ENOTFOUND if unknown, used or expired. */
    GZ_MUST_CHECK int (*reset_take)(struct store *st, const unsigned char *digest, int64_t now,
                      int64_t *user_id, struct err *err);

    GZ_MUST_CHECK int (*sms_put)(struct store *st, const char *phone, const unsigned char *digest,
                   int64_t expires, struct err *err);
    GZ_MUST_CHECK int (*sms_get)(struct store *st, const char *phone, unsigned char *digest, int64_t *expires,
                   int64_t *attempts, struct err *err);
    GZ_MUST_CHECK int (*sms_attempt)(struct store *st, const char *phone, struct err *err);
    GZ_MUST_CHECK int (*sms_delete)(struct store *st, const char *phone, struct err *err);

    GZ_MUST_CHECK int (*rate_add)(struct store *st, const char *key, int64_t now, struct err *err);
    /* Events for key after since. OUT: *n, *last (0 when none). */
    GZ_MUST_CHECK int (*rate_count)(struct store *st, const char *key, int64_t since, int64_t *n,
                      int64_t *last, struct err *err);
    GZ_MUST_CHECK int (*rate_clear)(struct store *st, const char *key, struct err *err);
    GZ_MUST_CHECK int (*rate_prune)(struct store *st, int64_t before, struct err *err);

    GZ_MUST_CHECK int (*audit_add)(struct store *st, int64_t user_id, int64_t now, const char *event,
                     const char *ip, const char *detail, struct err *err);
    GZ_MUST_CHECK int (*audit_list)(struct store *st, int64_t user_id, int limit, struct audit_list *out,
                      struct err *err);
    GZ_MUST_CHECK int (*outbox_add)(struct store *st, const char *kind, const char *rcpt, const char *subject,
                      const char *body, int64_t now, struct err *err);
    GZ_MUST_CHECK int (*outbox_list)(struct store *st, int limit, struct outbox_list *out, struct err *err);

    /* ---- newsroom ---- */
    /* Every story, any state, most recently updated first (brief.status set). NULL filters
     * mean all. */
    GZ_MUST_CHECK int (*newsroom_list)(struct store *st, const char *section, const char *status, int limit,
                         struct brief_list *out, struct err *err);
    GZ_MUST_CHECK int (*sections_all)(struct store *st, struct section_list *out, struct err *err);
    /* Set status (and, when at > 0, the publication time); bumps version and generation. */
    GZ_MUST_CHECK int (*story_set_status)(struct store *st, int64_t id, enum story_status status,
                                          int64_t at,
                            struct err *err);
    /* Publish every scheduled story whose time has come. OUT: *n published. */
    GZ_MUST_CHECK int (*publish_due)(struct store *st, int64_t now, int *n, struct err *err);
    GZ_MUST_CHECK int (*job_add)(struct store *st, int64_t story_id, const char *lang, const char *audio,
                   int64_t now, int64_t *id, struct err *err);
    /* Take the oldest queued job, or a running one whose lease ran out (its server died):
     * GZ_ENOTFOUND when none. The job is leased to this connection for store_job_lease()
     * seconds; job_progress renews the lease. A job started 3 times is marked failed. */
    GZ_MUST_CHECK int (*job_claim)(struct store *st, int64_t now, int64_t *id, int64_t *story_id, char *lang,
                     char *audio, size_t audio_cap, struct err *err);
    /* GZ_ECONFLICT when the job is no longer this connection's (the lease ran out and another
     * worker took it): stop working on it. */
    GZ_MUST_CHECK int (*job_progress)(struct store *st, int64_t id, double progress, int64_t now,
                        struct err *err);
    /* Store the job's end; GZ_ECONFLICT, and nothing written, unless this connection still
     * holds the job, so a job's end is stored once however many servers ran it. */
    GZ_MUST_CHECK int (*job_finish)(struct store *st, int64_t id, const char *state, const char *error,
                      int64_t flagged, double seconds, int64_t now, struct err *err);
    /* Jobs left running by a crashed server go back to the queue, or are marked failed after
     * their third start. Call only while holding the data-folder lock (core/dirlock.h). On
     * PostgreSQL only jobs of dead processes of this host are let go; other servers may be
     * running the rest, whose leases run out instead. */
    GZ_MUST_CHECK int (*job_requeue)(struct store *st, struct err *err);
    GZ_MUST_CHECK int (*job_latest)(struct store *st, int64_t story_id, const char *lang,
                      struct job_info *out, struct err *err);
    /* Jobs waiting in the queue. */
    GZ_MUST_CHECK int (*job_depth)(struct store *st, int64_t *queued, struct err *err);
    /* What tells a stuck job queue from a busy one, at now (Unix seconds): OUT: *out. */
    GZ_MUST_CHECK int (*job_backlog)(struct store *st, int64_t now, struct job_backlog *out,
                                     struct err *err);
    GZ_MUST_CHECK int (*user_list)(struct store *st, int limit, struct user **out, size_t *n,
                     struct err *err);
    /* ---- operations ---- */
    /* Call fn for every media file name the database refers to (story and job narration,
     * and each picture's files as "img/NAME-<w>x<h>.webp|.jpg"), each once. fn returning non-zero stops the walk; that value is returned. */
    GZ_MUST_CHECK int (*media_names)(struct store *st, int (*fn)(void *cls, const char *name), void *cls,
                       struct err *err);
    /* Delete rows past their use, in one transaction: sessions, remember-me series, reset
     * tokens and SMS codes past expiry; rate events older than 2 days; outbox messages
     * (codes, reset links) older than 1 day; audit rows older than 365 days; anonymous quiz
     * answers older than 90 days (an account's stay).
     * OUT: *n rows deleted. */
    GZ_MUST_CHECK int (*purge)(struct store *st, int64_t now, int64_t *n, struct err *err);

    /* ---- pictures (issue 11) ---- */
    /* Record picture name (its files are already in media/img/) for story_id; the same
     * picture uploaded again for the story replaces its sizes, alt and caption. */
    GZ_MUST_CHECK int (*image_put)(struct store *st, const char *name, int64_t story_id,
                                   const char *sizes, const char *alt, const char *caption,
                                   int64_t now, struct err *err);
    /* Whether a published story has picture name: GZ_ENOTFOUND when no story has it.
     * OUT: *published (0: only drafts or scheduled stories). */
    GZ_MUST_CHECK int (*image_published)(struct store *st, const char *name, int *published,
                                         struct err *err);
    /* Make picture name (NULL: none) the story's lead; bumps the content generation, not the
     * story's version (an open editor keeps saving). GZ_ENOTFOUND when there is no story. */
    GZ_MUST_CHECK int (*story_set_lead)(struct store *st, int64_t story_id, const char *name,
                                        struct err *err);

    void (*close)(struct store *st);

    /* ---- listening positions (issue 11): where a signed-in reader stopped, per story and
     * narration language ("en", "zh"), in milliseconds ---- */
    /* Store or replace it. GZ_ENOTFOUND when the story is not published or has no narration
     * in lang (nothing stored). */
    GZ_MUST_CHECK int (*position_put)(struct store *st, int64_t user_id, int64_t story_id,
                                      const char *lang, int64_t t_ms, int64_t now, struct err *err);
    /* OUT: *t_ms. GZ_ENOTFOUND when none is stored. */
    GZ_MUST_CHECK int (*position_get)(struct store *st, int64_t user_id, int64_t story_id,
                                      const char *lang, int64_t *t_ms, struct err *err);
    /* Forget it (heard to the end); no row is not an error. */
    GZ_MUST_CHECK int (*position_delete)(struct store *st, int64_t user_id, int64_t story_id,
                                         const char *lang, struct err *err);
};

struct store {
    const struct store_ops *ops;
    char owner[96]; /* "host:pid:random", this connection's name on the jobs it leases */
};

/* Undo the open transaction, if any (for one-exit cleanup paths). A failure to roll back
 * is logged here: the caller is already on its error path and has its own error to report. */
void store_rollback(struct store *st);

/* Open, creating and migrating when needed: a PostgreSQL URL (postgresql://user@host/db,
 * postgres://...) or else the path of a SQLite file. */
int store_open(const char *where, struct store **out, struct err *err);
int store_open_sqlite(const char *path, struct store **out, struct err *err);
int store_open_pg(const char *url, struct store **out, struct err *err);
/* 1 when where names a PostgreSQL database. */
int store_is_pg(const char *where);
/* where with any password replaced by ***, for messages and logs. */
void store_where_for_humans(const char *where, char *out, size_t cap);
void store_close(struct store *st);

/* Content changes this process committed (any connection). A reader of the generation that
 * cached it compares this first, so a change made here shows here at once (the next request,
 * even on the same thread). Backends call store_note_bump after a commit that bumped it. */
uint64_t store_local_bumps(void);
void store_note_bump(void);

/* For the backends: how long a claimed job stays leased (seconds; GAZETTE_JOB_LEASE,
 * default 60), and a fresh owner name for a new connection. */
int64_t store_job_lease(void);
void store_owner_init(struct store *st);
/* 1 when owner (a name store_owner_init made) was a process of this host that no longer
 * exists: its jobs can be taken at once, without waiting for their leases. */
int store_owner_gone(const char *owner);

#endif
