/*
 * fault.h: a failing store for unit tests. A SQLite VFS over the default one whose writes
 * fail on demand the way a full disk (SQLITE_FULL from ENOSPC) or a dying disk (I/O error)
 * makes them fail, under a real temporary database. Everything above the VFS (the store, the
 * service flows) runs unchanged, so a test sees exactly what production code would.
 */
#ifndef GZ_TESTS_FAULT_H
#define GZ_TESTS_FAULT_H

#include "store/store.h"

enum fault_kind {
    FAULT_NONE,
    FAULT_FULL,  /* writes and truncates answer SQLITE_FULL */
    FAULT_IOERR, /* writes answer SQLITE_IOERR_WRITE */
};

/* From now on, the (after_writes + 1)-th file write and every one after it fail with kind. */
void fault_arm(enum fault_kind kind, int after_writes);
void fault_disarm(void);
/* Writes that failed since the last fault_arm (to check a test really hit the fault). */
int fault_hits(void);

/* Fail store calls instead of disk writes: from now on the (after_calls + 1)-th call of one
 * of st's writing functions (user_create/update/set_prefs/set_role/delete, session_put/
 * delete*, remember_*, reset_*, sms_*, rate_add/clear, audit_add, story_put, job_add,
 * attempt_put, image_put, story_set_lead, tx_commit)
 * answers code (GZ_EFULL, GZ_EBUSY, GZ_ECONFLICT …) without doing anything; later calls work
 * again. after_calls < 0 disarms. OUT of fault_calls_made: writing calls seen since arming. */
void fault_calls(struct store *st, int after_calls, int code);
int fault_calls_made(void);

/* A fresh store in a new temporary folder, opened through the failing VFS. OUT: dir (the
 * folder, for fault_store_close). */
struct store *fault_store_open(char dir[64]);
void fault_store_close(struct store *st, const char *dir);
/* Hold the database's write lock from a second connection (as another process would):
 * returns the connection to pass to fault_unlock. */
void *fault_lock(const char *dir);
void fault_unlock(void *db);

#endif
