/*
 * dirlock.h: one writer per data folder. `gazette serve` (and `gazette restore`) hold an
 * exclusive flock(2) on DIR/.lock for as long as they run and write their PID into it, so a
 * second server on the same folder refuses to start instead of running the first one's jobs
 * again. The kernel drops the lock when the process dies, however it dies: a stale file is
 * never mistaken for a live holder.
 */
#ifndef GZ_CORE_DIRLOCK_H
#define GZ_CORE_DIRLOCK_H

#include "core/gz.h"

/* Take the lock on dir. Returns an fd to pass to dirlock_release (>= 0), or GZ_ECONFLICT when
 * another process holds it (err names the folder and the holder's PID), or GZ_EIO. */
int dirlock_take(const char *dir, const char *what, struct err *err);
/* 1 when some process holds the lock on dir (OUT: *pid, 0 when unknown), 0 when none. */
int dirlock_held(const char *dir, long *pid);
/* Writers that may run beside a server (gazette import) share DIR/.use; restore takes it
 * alone. dirlock_use(dir, 0) for an import: GZ_ECONFLICT while a restore runs (err names its
 * PID). dirlock_use(dir, 1) for restore: GZ_ECONFLICT while any import runs. Returns an fd
 * for dirlock_release, or a negative GZ_E code. */
int dirlock_use(const char *dir, int alone, struct err *err);
/* Release a lock taken by dirlock_take or dirlock_use. A negative fd is a no-op. */
void dirlock_release(int fd);

#endif
