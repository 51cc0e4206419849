/*
 * backup.h: whole-database operations on an SQLite file, outside the store interface:
 * the start-up integrity check and the online backup that `gazette backup` uses.
 */
#ifndef GZ_STORE_BACKUP_H
#define GZ_STORE_BACKUP_H

#include "core/gz.h"

/* Open path read-only and run PRAGMA quick_check (full: integrity_check, which also checks
 * index contents). GZ_OK when sound; GZ_EDB with err naming the file and the first problem
 * found (also for a file that is not a database at all); GZ_ENOTFOUND when path is absent. */
int store_check_sqlite(const char *path, int full, struct err *err);

/* Copy the live database src into dst (which must not exist) with SQLite's online backup
 * API in one step: one read transaction, so the copy is a consistent snapshot while the
 * server goes on writing (WAL). dst is fsynced before returning. */
int store_backup_sqlite(const char *src, const char *dst, struct err *err);

#endif
