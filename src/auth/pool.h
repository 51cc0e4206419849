/*
 * pool.h: a small bounded pool of worker threads for slow work the HTTP threads must not do
 * themselves: Argon2 password hashing (tens of milliseconds and 19 MiB each) and mail/SMS
 * sends (up to 15 s). Each HTTP thread serves many connections from one event loop, so a
 * hash run there stalls every reader on that thread.
 * Invariants: at most n_threads jobs run at once; at most queue_max wait. A full queue is
 * refused at once (the caller answers 503 with Retry-After) instead of growing memory.
 * Fair share: a job may carry a key (the client's address range). Once a quarter of the queue
 * is waiting, a key holding share_max jobs (waiting or running) is refused (the caller answers
 * 429), so one network flooding the queue leaves room for everyone else; while the queue is
 * quieter, a key may hold more (many readers behind one office address signing in at nine).
 * Pool threads run at the lowest CPU priority (nice +19): pages win the CPU, while hashing
 * still gets a share (unlike SCHED_IDLE, which a busy machine could starve forever).
 * Ownership: the pool never owns arg; fn must free what it needs to.
 */
#ifndef GZ_AUTH_POOL_H
#define GZ_AUTH_POOL_H

#include "core/gz.h"

struct auth_pool;
/* A job. cancelled is 1 when the pool is stopping and the job never started: answer quickly
 * (e.g. 503) and release what arg holds, without doing the work. */
typedef void auth_pool_fn(void *arg, int cancelled);

#define AUTH_POOL_KEY_MAX 32 /* bytes of a key that count; longer keys are cut */

/* A pool of n_threads (<= 0: one per core) with room for queue_max waiting jobs, share_max of
 * them per key (<= 0: no share). name (a literal) appears in log lines. Never NULL. */
struct auth_pool *auth_pool_new(const char *name, int n_threads, int queue_max, int share_max);
/* Queue fn(arg) on behalf of key[0..key_len) (NULL: no key, no share). GZ_OK when queued;
 * GZ_EBUSY when the queue is full or the pool stopping, GZ_ELIMIT when key holds its share:
 * then fn will not run. */
int auth_pool_submit(struct auth_pool *p, const void *key, size_t key_len, auth_pool_fn *fn,
                     void *arg);
/* Jobs waiting or running. */
int auth_pool_pending(struct auth_pool *p);
/* Refuse new jobs, let running ones finish, call the waiting ones with cancelled = 1, join
 * the threads. The pool stays valid (submit says GZ_EBUSY) until auth_pool_free. Idempotent. */
void auth_pool_stop(struct auth_pool *p);
/* Stop (if not yet) and free. NULL is a no-op. */
void auth_pool_free(struct auth_pool *p);

#endif
