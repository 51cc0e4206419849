/*
 * store_sqlite.c: the embedded backend. WAL mode, foreign keys on, a busy timeout so readers
 * and the import command can share the file, statements prepared once per connection.
 */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/embed.h"

enum q_id {
#define Q(id, lite, pg) Q_##id,
#include "store/queries.def"
#undef Q
    Q_COUNT
};

static const char *const q_sql[] = {
#define Q(id, lite, pg) lite,
#include "store/queries.def"
#undef Q
};

struct store_sqlite {
    struct store base;
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
};

static struct store_sqlite *lite(struct store *st)
{
    return (struct store_sqlite *)st;
}

/* A prepared statement, reset and cleared, ready to bind. */
static sqlite3_stmt *q_get(struct store *st, enum q_id id)
{
    sqlite3_stmt *s = lite(st)->q[id];
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
}

static int db_err(struct store *st, struct err *err, const char *what)
{
    return err_set(err, GZ_EDB, "%s: %s", what, sqlite3_errmsg(lite(st)->db));
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
    if (t)
        sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static int exec_plain(sqlite3 *db, const char *sql, struct err *err)
{
    char *msg = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg); /* constant SQL only: no runtime data */
    if (rc != SQLITE_OK) {
        err_set(err, GZ_EDB, "'%.60s': %s", sql, msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return GZ_EDB;
    }
    return GZ_OK;
}

/* Apply every embedded migration newer than PRAGMA user_version, each in one transaction. */
static int migrate(sqlite3 *db, struct err *err)
{
    sqlite3_stmt *s = NULL;
    int version = 0, rc;

    if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
        return err_set(err, GZ_EDB, "cannot read schema version: %s", sqlite3_errmsg(db));
    if (sqlite3_step(s) == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (version > (int)embed_sql_sqlite_n)
        return err_set(err, GZ_EDB,
                       "database schema version %d is newer than this program (%zu)", version,
                       embed_sql_sqlite_n);
    for (size_t i = (size_t)version; i < embed_sql_sqlite_n; i++) {
        char pragma[64];

        rc = exec_plain(db, "BEGIN IMMEDIATE", err);
        if (rc == GZ_OK)
            rc = exec_plain(db, (const char *)embed_sql_sqlite[i].data, err);
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu", i + 1);
        if (rc == GZ_OK)
            rc = exec_plain(db, pragma, err);
        if (rc == GZ_OK)
            rc = exec_plain(db, "COMMIT", err);
        if (rc != GZ_OK) {
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return err_set(err, GZ_EDB, "migration '%s' failed: %s", embed_sql_sqlite[i].name,
                           err->msg);
        }
    }
    return GZ_OK;
}

static int lite_generation(struct store *st, int64_t *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_GEN_GET);
    int rc = sqlite3_step(s);

    if (rc != SQLITE_ROW)
        return db_err(st, err, "generation");
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_sections(struct store *st, struct section_list *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SECTIONS);
    size_t cap = 0;
    int rc;

    out->item = NULL;
    out->n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->item = xrealloc(out->item, cap * sizeof *out->item);
        }
        out->item[out->n].slug = col_dup(s, 0);
        out->item[out->n].name_zh = col_dup(s, 1);
        out->item[out->n].name_en = col_dup(s, 2);
        out->n++;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        section_list_release(out);
        return db_err(st, err, "sections");
    }
    return GZ_OK;
}

static int read_briefs(struct store *st, sqlite3_stmt *s, struct brief_list *out,
                       struct err *err)
{
    size_t cap = 0;
    int rc;

    out->item = NULL;
    out->n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct story_brief *b;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->item = xrealloc(out->item, cap * sizeof *out->item);
        }
        b = &out->item[out->n++];
        b->id = sqlite3_column_int64(s, 0);
        b->section_slug = col_dup(s, 1);
        b->section_zh = col_dup(s, 2);
        b->section_en = col_dup(s, 3);
        b->published = sqlite3_column_int64(s, 4);
        b->headline[LANG_EN] = col_dup(s, 5);
        b->summary[LANG_EN] = col_dup(s, 6);
        b->headline[LANG_ZH] = col_dup(s, 7);
        b->summary[LANG_ZH] = col_dup(s, 8);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        brief_list_release(out);
        return db_err(st, err, "story list");
    }
    return GZ_OK;
}

static int lite_latest(struct store *st, const char *section_slug, int limit,
                       struct brief_list *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_LATEST);
    bind_text(s, 1, section_slug);
    sqlite3_bind_int(s, 2, limit);
    return read_briefs(st, s, out, err);
}

static int lite_related(struct store *st, int64_t id, int limit, struct brief_list *out,
                        struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RELATED);
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, limit);
    return read_briefs(st, s, out, err);
}

static int lite_story_get(struct store *st, int64_t id, struct story **out, struct err *err)
{
    struct story *a = NULL;
    sqlite3_stmt *s = q_get(st, Q_STORY_GET);
    int rc;

    *out = NULL;
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)id);
    }
    if (rc != SQLITE_ROW)
        return db_err(st, err, "story");
    a = xcalloc(1, sizeof *a);
    for (int i = 0; i < LANG_COUNT; i++)
        a->l[i].tr.end = NAN;
    a->id = sqlite3_column_int64(s, 0);
    a->slug = col_dup(s, 1);
    a->section_slug = col_dup(s, 2);
    a->section_zh = col_dup(s, 3);
    a->section_en = col_dup(s, 4);
    a->published = sqlite3_column_int64(s, 5);
    a->copyright = col_dup(s, 6);
    a->pairs = col_dup(s, 7);
    a->tags = col_dup(s, 8);
    sqlite3_reset(s);

    s = q_get(st, Q_STORY_LANGS);
    sqlite3_bind_int64(s, 1, id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        enum lang lg;
        struct story_lang *l;
        const char *code = (const char *)sqlite3_column_text(s, 0);

        if (!code || lang_parse(code, strlen(code), &lg) != GZ_OK)
            continue;
        l = &a->l[lg];
        l->present = 1;
        l->headline = col_dup(s, 1);
        l->standfirst = col_dup(s, 2);
        l->summary = col_dup(s, 3);
        l->byline = col_dup(s, 4);
        rc = transcript_parse((const char *)sqlite3_column_text(s, 5),
                              (size_t)sqlite3_column_bytes(s, 5), &l->tr, err);
        if (rc != GZ_OK) {
            sqlite3_reset(s);
            story_free(a);
            return err_set(err, GZ_EDB, "story %lld body: %s", (long long)id, err->msg);
        }
        l->audio = col_dup(s, 6);
        l->duration = sqlite3_column_double(s, 7);
        l->synthetic = sqlite3_column_int(s, 8);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        story_free(a);
        return db_err(st, err, "story languages");
    }
    *out = a;
    return GZ_OK;
}

static int step_done(struct store *st, sqlite3_stmt *s, struct err *err, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? GZ_OK : db_err(st, err, what);
}

static int lite_story_put(struct store *st, const struct story *a, int64_t *id, struct err *err)
{
    sqlite3 *db = lite(st)->db;
    struct buf body;
    sqlite3_stmt *s;
    int64_t sec_id, sid;
    int rc;

    buf_init(&body, 0);
    rc = exec_plain(db, "BEGIN IMMEDIATE", err);
    if (rc != GZ_OK)
        goto out;

    s = q_get(st, Q_SECTION_UPSERT);
    bind_text(s, 1, a->section_slug);
    bind_text(s, 2, a->section_zh);
    bind_text(s, 3, a->section_en);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = db_err(st, err, "section");
        goto out;
    }
    sec_id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);

    s = q_get(st, Q_STORY_UPSERT);
    bind_text(s, 1, a->slug);
    sqlite3_bind_int64(s, 2, sec_id);
    sqlite3_bind_int64(s, 3, a->published);
    bind_text(s, 4, a->copyright);
    bind_text(s, 5, a->pairs);
    sqlite3_bind_int64(s, 6, (int64_t)time(NULL));
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = db_err(st, err, "story");
        goto out;
    }
    sid = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);

    s = q_get(st, Q_STORY_LANGS_DELETE);
    sqlite3_bind_int64(s, 1, sid);
    rc = step_done(st, s, err, "story languages");
    for (int i = 0; rc == GZ_OK && i < LANG_COUNT; i++) {
        const struct story_lang *l = &a->l[i];
        if (!l->present)
            continue;
        buf_truncate(&body, 0);
        transcript_body_json(&body, &l->tr);
        if (body.err) {
            rc = err_set(err, GZ_ETOOBIG, "body too large");
            break;
        }
        s = q_get(st, Q_STORY_LANG_INSERT);
        sqlite3_bind_int64(s, 1, sid);
        bind_text(s, 2, lang_code((enum lang)i));
        bind_text(s, 3, l->headline);
        bind_text(s, 4, l->standfirst ? l->standfirst : "");
        bind_text(s, 5, l->summary ? l->summary : "");
        bind_text(s, 6, l->byline ? l->byline : "");
        sqlite3_bind_text(s, 7, buf_cstr(&body), (int)body.len, SQLITE_STATIC);
        bind_text(s, 8, l->audio);
        sqlite3_bind_double(s, 9, l->duration);
        sqlite3_bind_int(s, 10, l->synthetic);
        rc = step_done(st, s, err, "story language");
    }
    if (rc == GZ_OK) {
        s = q_get(st, Q_TAGS_DELETE);
        sqlite3_bind_int64(s, 1, sid);
        rc = step_done(st, s, err, "tags");
    }
    for (const char *t = a->tags; rc == GZ_OK && t && *t;) {
        const char *comma = strchr(t, ',');
        size_t n = comma ? (size_t)(comma - t) : strlen(t);
        if (n) {
            s = q_get(st, Q_TAG_INSERT);
            sqlite3_bind_int64(s, 1, sid);
            sqlite3_bind_text(s, 2, t, (int)n, SQLITE_STATIC);
            rc = step_done(st, s, err, "tag");
        }
        t = comma ? comma + 1 : t + n;
    }
    if (rc == GZ_OK)
        rc = step_done(st, q_get(st, Q_GEN_BUMP), err, "generation");
    if (rc == GZ_OK)
        rc = exec_plain(db, "COMMIT", err);
    if (rc == GZ_OK)
        *id = sid;
out:
    if (rc != GZ_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    buf_release(&body);
    return rc;
}

static int lite_story_count(struct store *st, int64_t *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_STORY_COUNT);
    if (sqlite3_step(s) != SQLITE_ROW)
        return db_err(st, err, "count");
    *out = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_quiz_latest(struct store *st, struct quiz_brief *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_QUIZ_LATEST);
    int rc = sqlite3_step(s);

    memset(out, 0, sizeof *out);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW)
        return db_err(st, err, "quiz");
    out->id = sqlite3_column_int64(s, 0);
    out->title_zh = col_dup(s, 1);
    out->title_en = col_dup(s, 2);
    out->published = sqlite3_column_int64(s, 3);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_setting_get(struct store *st, const char *key, struct buf *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SETTING_GET);
    int rc;

    bind_text(s, 1, key);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW)
        return db_err(st, err, "setting");
    buf_append(out, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_setting_put(struct store *st, const char *key, const char *value,
                            struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SETTING_PUT);
    bind_text(s, 1, key);
    bind_text(s, 2, value);
    return step_done(st, s, err, "setting");
}

static void lite_close(struct store *st)
{
    struct store_sqlite *l = lite(st);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(l->q[i]);
    sqlite3_close(l->db);
    free(l);
}

static const struct store_ops lite_ops = {
    .generation = lite_generation,
    .sections = lite_sections,
    .latest = lite_latest,
    .related = lite_related,
    .story_get = lite_story_get,
    .story_put = lite_story_put,
    .story_count = lite_story_count,
    .quiz_latest = lite_quiz_latest,
    .setting_get = lite_setting_get,
    .setting_put = lite_setting_put,
    .close = lite_close,
};

int store_open_sqlite(const char *path, struct store **out, struct err *err)
{
    struct store_sqlite *l = xcalloc(1, sizeof *l);
    int rc;

    *out = NULL;
    l->base.ops = &lite_ops;
    if (sqlite3_open_v2(path, &l->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "cannot open database '%s': %s", path,
                     l->db ? sqlite3_errmsg(l->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(l->db, 5000);
    rc = exec_plain(l->db,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
                    err);
    if (rc == GZ_OK)
        rc = migrate(l->db, err);
    if (rc != GZ_OK)
        goto fail;
    for (int i = 0; i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(l->db, q_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &l->q[i], NULL) !=
            SQLITE_OK) {
            rc = err_set(err, GZ_EDB, "cannot prepare query %d: %s", i, sqlite3_errmsg(l->db));
            goto fail;
        }
    }
    *out = &l->base;
    return GZ_OK;
fail:
    lite_close(&l->base);
    return rc;
}

void store_close(struct store *st)
{
    if (st)
        st->ops->close(st);
}
