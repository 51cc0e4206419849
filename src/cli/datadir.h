/*
 * datadir.h: start-up checks of a data folder (DIR/gazette.db, DIR/media), run by
 * `gazette serve` while it holds the folder's lock (core/dirlock.h):
 *  - the database is refused, with a message naming the file and the cause, when it is
 *    empty (a zero-byte file is a lost database, never a new site: a new site has no file),
 *    damaged (PRAGMA quick_check), or cannot be written (read-only file or folder);
 *  - temporary files a crash left behind are removed: ".upload-*" (narration uploads),
 *    "*.tmp<pid>" of processes that no longer exist, "*.restore-tmp".
 */
#ifndef GZ_CLI_DATADIR_H
#define GZ_CLI_DATADIR_H

#include "core/gz.h"

int datadir_check_db(const char *dir, const char *db, struct err *err);
/* Returns how many files were removed. */
int datadir_clean(const char *media);

#endif
