/*
 * embed.h: files compiled into the binary by tools/embed.c (web assets, migrations, demo
 * bundles). Each table is sorted by name; data is NUL-terminated (len excludes the NUL).
 */
#ifndef GZ_CORE_EMBED_H
#define GZ_CORE_EMBED_H

#include <stddef.h>

struct embed_file {
    const char *name; /* path as given to the generator, e.g. "web/app.js" */
    const unsigned char *data;
    size_t len;
};

extern const struct embed_file embed_web[], embed_sql_sqlite[], embed_sql_pg[], embed_demo[],
    embed_data[];
extern const size_t embed_web_n, embed_sql_sqlite_n, embed_sql_pg_n, embed_demo_n, embed_data_n;

/* The file whose name ends with suffix (after a '/'), or NULL. */
const struct embed_file *embed_find(const struct embed_file *files, size_t n, const char *base);

#endif
