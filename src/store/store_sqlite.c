/*
 * store_sqlite.c: the embedded backend. WAL mode, foreign keys on, a busy timeout so readers
 * and the import command can share the file, statements prepared once per connection.
 * synchronous=FULL: WAL is synced at every commit, so a write the site acknowledged (a
 * registration, a saved story) survives a power cut; NORMAL could lose the last commits.
 * Measured cost: one fsync per commit, about 3-5 ms on a sign-in (median 28 -> 32 ms, of
 * which Argon2 is most); docs/ARCHITECTURE.md, "Operations".
 */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "core/embed.h"
#include "core/log.h"

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
    struct store base; /* first: a struct store * is a struct store_sqlite * */
    sqlite3 *db;
    int bumped; /* the open transaction bumped the content generation */
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

/* The GZ code for a SQLite result: a full disk and a held lock are told apart from the rest,
 * since the service layer answers them differently (507, 503). */
static int gz_code(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_FULL:
        return GZ_EFULL;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return GZ_EBUSY;
    default:
        return GZ_EDB;
    }
}

static int db_err(struct store *st, struct err *err, const char *what)
{
    sqlite3 *db = lite(st)->db;
    return err_set(err, gz_code(sqlite3_extended_errcode(db)), "%s: %s", what,
                   sqlite3_errmsg(db));
}

/* Step s to its end and reset it; the statement's final SQLite result. A write in autocommit
 * mode commits on its last step, so only this result says it is stored: an INSERT …
 * RETURNING answers SQLITE_ROW first, before a commit that may still fail (disk full). rc is
 * the result of the step the caller already took. */
static int finish(sqlite3_stmt *s, int rc)
{
    int reset;

    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    reset = sqlite3_reset(s);
    return rc == SQLITE_DONE ? reset : rc;
}

static char *col_dup(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, i)) : NULL;
}

/* A status or role column: the schema's CHECK constraints allow only known names; anything else
 * reads as the least privileged value. */
static enum story_status col_status(sqlite3_stmt *s, int i)
{
    enum story_status v = STORY_DRAFT;
    if (story_status_parse((const char *)sqlite3_column_text(s, i), &v) != GZ_OK)
        v = STORY_DRAFT;
    return v;
}

static enum user_role col_role(sqlite3_stmt *s, int i)
{
    enum user_role v = ROLE_READER;
    if (!user_role_parse((const char *)sqlite3_column_text(s, i), &v))
        v = ROLE_READER;
    return v;
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
        rc = err_set(err, gz_code(sqlite3_extended_errcode(db)), "'%.60s': %s", sql,
                     msg ? msg : sqlite3_errstr(rc));
        sqlite3_free(msg);
        return rc;
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
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg); /* err_set must not read what it writes */
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
            return err_set(err, GZ_EDB, "migration '%s' failed: %s", embed_sql_sqlite[i].name,
                           why);
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

/* Rows of (slug, name_zh, name_en) from s into out. */
static int read_sections(struct store *st, sqlite3_stmt *s, struct section_list *out,
                         struct err *err)
{
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

static int lite_sections(struct store *st, struct section_list *out, struct err *err)
{
    return read_sections(st, q_get(st, Q_SECTIONS), out, err);
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
        memset(b, 0, sizeof *b);
        b->id = sqlite3_column_int64(s, 0);
        b->section_slug = col_dup(s, 1);
        b->section_zh = col_dup(s, 2);
        b->section_en = col_dup(s, 3);
        b->published = sqlite3_column_int64(s, 4);
        b->headline[LANG_EN] = col_dup(s, 5);
        b->summary[LANG_EN] = col_dup(s, 6);
        b->headline[LANG_ZH] = col_dup(s, 7);
        b->summary[LANG_ZH] = col_dup(s, 8);
        if (sqlite3_column_type(s, 10) != SQLITE_NULL) { /* a lead picture that exists */
            b->lead.name = col_dup(s, 9);
            b->lead.sizes = col_dup(s, 10);
            b->lead.alt = col_dup(s, 11);
        }
        if (sqlite3_column_count(s) > 13) { /* newsroom lists add status and version */
            b->status = col_status(s, 12);
            b->version = sqlite3_column_int64(s, 13);
        }
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

/* a->image from the image table; a->lead (its name read with the story) filled in from it. */
static int read_images(struct store *st, struct story *a, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_IMAGE_LIST);
    size_t cap = 0;
    char *lead = a->lead.name;
    int rc;

    a->lead.name = NULL;
    sqlite3_bind_int64(s, 1, a->id);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct story_image *im;
        if (a->n_image == cap) {
            cap = cap ? cap * 2 : 4;
            a->image = xrealloc(a->image, cap * sizeof *a->image);
        }
        im = &a->image[a->n_image++];
        im->name = col_dup(s, 0);
        im->sizes = col_dup(s, 1);
        im->alt = col_dup(s, 2);
        im->caption = col_dup(s, 3);
        if (!im->name || !im->sizes || !im->alt || !im->caption) { /* NOT NULL columns */
            a->n_image--;
            story_image_release(im);
        }
    }
    sqlite3_reset(s);
    story_lead_from_images(a, lead);
    free(lead);
    return rc == SQLITE_DONE ? GZ_OK : db_err(st, err, "story pictures");
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
    a->status = col_status(s, 9);
    a->version = sqlite3_column_int64(s, 10);
    a->related = col_dup(s, 11);
    a->lead.name = col_dup(s, 12);
    sqlite3_reset(s);
    rc = read_images(st, a, err);
    if (rc != GZ_OK) {
        story_free(a);
        return rc;
    }

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
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg); /* err_set must not read what it writes */
            sqlite3_reset(s);
            story_free(a);
            return err_set(err, GZ_EDB, "story %lld body: %s", (long long)id, why);
        }
        l->audio = col_dup(s, 6);
        l->duration = sqlite3_column_double(s, 7);
        l->synthetic = sqlite3_column_int(s, 8);
        l->markdown = col_dup(s, 9);
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
    int rc = finish(s, sqlite3_step(s));
    return rc == SQLITE_OK ? GZ_OK : db_err(st, err, what);
}

/* Bump the content generation; noted, and told to the process once committed
 * (store_note_bump), so this process's next page shows the change. */
static int bump(struct store *st, struct err *err)
{
    int rc = step_done(st, q_get(st, Q_GEN_BUMP), err, "generation");
    if (rc == GZ_OK)
        lite(st)->bumped = 1;
    return rc;
}

/* After a commit (ok) or a rollback: tell the process about a committed bump, once. */
static void bump_end(struct store *st, int committed)
{
    if (committed && lite(st)->bumped)
        store_note_bump();
    lite(st)->bumped = 0;
}

/* Open a transaction unless the caller (a service flow) already holds one. OUT: *owned, 1
 * when this call opened it and must end it with tx_end. */
static int tx_join(struct store *st, int *owned, struct err *err)
{
    sqlite3 *db = lite(st)->db;

    *owned = 0;
    if (!sqlite3_get_autocommit(db))
        return GZ_OK;
    *owned = 1;
    return exec_plain(db, "BEGIN IMMEDIATE", err);
}

/* End what tx_join opened: commit when rc is GZ_OK, else roll back. Returns the final rc. In
 * a joined transaction a failure is left for the flow's own rollback. */
static int tx_end(struct store *st, int owned, int rc, struct err *err)
{
    sqlite3 *db = lite(st)->db;

    if (owned && rc == GZ_OK)
        rc = exec_plain(db, "COMMIT", err);
    if (owned && rc != GZ_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    if (owned)
        bump_end(st, rc == GZ_OK);
    return rc;
}

static int lite_tx_begin(struct store *st, struct err *err)
{
    if (!sqlite3_get_autocommit(lite(st)->db))
        return err_set(err, GZ_EINVAL, "a transaction is already open");
    return exec_plain(lite(st)->db, "BEGIN IMMEDIATE", err);
}

static int lite_tx_commit(struct store *st, struct err *err)
{
    sqlite3 *db = lite(st)->db;
    int rc;

    if (sqlite3_get_autocommit(db)) /* SQLite rolled back already (full disk, I/O error) */
        return err_set(err, GZ_EDB, "commit: no transaction is open");
    rc = exec_plain(db, "COMMIT", err);
    if (rc != GZ_OK && !sqlite3_get_autocommit(db))
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    bump_end(st, rc == GZ_OK);
    return rc;
}

static int lite_tx_rollback(struct store *st, struct err *err)
{
    sqlite3 *db = lite(st)->db;

    bump_end(st, 0);
    if (sqlite3_get_autocommit(db))
        return GZ_OK;
    return exec_plain(db, "ROLLBACK", err);
}

static int lite_story_put(struct store *st, const struct story *a, int64_t *id, struct err *err)
{
    struct buf body, plain;
    sqlite3_stmt *s;
    int64_t sec_id, sid;
    int rc, owned = 0;

    buf_init(&body, 0);
    buf_init(&plain, 0);
    rc = tx_join(st, &owned, err);
    if (rc != GZ_OK)
        goto out;

    if (a->version > 0) {
        int64_t cur = -1;
        s = q_get(st, Q_STORY_VERSION);
        bind_text(s, 1, a->slug);
        if (sqlite3_step(s) == SQLITE_ROW)
            cur = sqlite3_column_int64(s, 0);
        sqlite3_reset(s);
        if (cur != a->version) {
            rc = err_set(err, GZ_ECONFLICT, "story '%s' was saved by someone else (version %lld, "
                         "yours %lld)", a->slug, (long long)cur, (long long)a->version);
            goto out;
        }
    }
    s = q_get(st, Q_SECTION_UPSERT);
    bind_text(s, 1, a->section_slug);
    bind_text(s, 2, a->section_zh);
    bind_text(s, 3, a->section_en);
    rc = sqlite3_step(s);
    sec_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW || finish(s, rc) != SQLITE_OK) {
        sqlite3_reset(s);
        rc = db_err(st, err, "section");
        goto out;
    }

    s = q_get(st, Q_STORY_UPSERT);
    bind_text(s, 1, a->slug);
    sqlite3_bind_int64(s, 2, sec_id);
    sqlite3_bind_int64(s, 3, a->published);
    bind_text(s, 4, a->copyright);
    bind_text(s, 5, a->pairs);
    sqlite3_bind_int64(s, 6, (int64_t)time(NULL));
    bind_text(s, 7, story_status_name(a->status));
    bind_text(s, 8, a->related);
    rc = sqlite3_step(s);
    sid = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW || finish(s, rc) != SQLITE_OK) {
        sqlite3_reset(s);
        rc = db_err(st, err, "story");
        goto out;
    }

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
        buf_truncate(&plain, 0);
        transcript_plain(&plain, &l->tr);
        sqlite3_bind_text(s, 11, buf_cstr(&plain), (int)plain.len, SQLITE_STATIC);
        bind_text(s, 12, l->markdown);
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
        rc = bump(st, err);
    if (rc == GZ_OK)
        *id = sid;
out:
    rc = tx_end(st, owned, rc, err);
    buf_release(&body);
    buf_release(&plain);
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

static int lite_search(struct store *st, const char *q, int limit, struct brief_list *out,
                       struct err *err)
{
    size_t n = strlen(q), chars = 0;
    struct buf pat;
    sqlite3_stmt *s;
    int rc;

    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)q[i] & 0xc0) != 0x80;
    buf_init(&pat, 4096);
    if (chars >= 3) {
        /* One FTS5 string: the query as a phrase, its quotes doubled. */
        buf_putc(&pat, '"');
        for (size_t i = 0; i < n; i++) {
            if (q[i] == '"')
                buf_putc(&pat, '"');
            buf_putc(&pat, q[i]);
        }
        buf_putc(&pat, '"');
        s = q_get(st, Q_SEARCH_FTS);
    } else {
        /* Trigrams need three characters: shorter queries (two Chinese characters are a word)
         * scan with LIKE, % and _ escaped. */
        buf_putc(&pat, '%');
        for (size_t i = 0; i < n; i++) {
            if (q[i] == '%' || q[i] == '_' || q[i] == '\\')
                buf_putc(&pat, '\\');
            buf_putc(&pat, q[i]);
        }
        buf_putc(&pat, '%');
        s = q_get(st, Q_SEARCH_LIKE);
    }
    sqlite3_bind_text(s, 1, buf_cstr(&pat), (int)pat.len, SQLITE_TRANSIENT);
    sqlite3_bind_int(s, 2, limit);
    rc = read_briefs(st, s, out, err);
    buf_release(&pat);
    return rc;
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

static int lite_quiz_put(struct store *st, const char *slug, const char *title_zh,
                         const char *title_en, int64_t published, const char *body, int64_t *id,
                         struct err *err)
{
    sqlite3_stmt *s;
    int owned, rc = tx_join(st, &owned, err);

    if (rc != GZ_OK)
        return rc;
    s = q_get(st, Q_QUIZ_UPSERT);
    bind_text(s, 1, slug);
    bind_text(s, 2, title_zh);
    bind_text(s, 3, title_en);
    sqlite3_bind_int64(s, 4, published);
    bind_text(s, 5, body);
    rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW || finish(s, rc) != SQLITE_OK) {
        sqlite3_reset(s);
        rc = db_err(st, err, "quiz");
        goto out;
    }
    rc = bump(st, err);
out:
    return tx_end(st, owned, rc, err);
}

static int lite_quiz_get(struct store *st, int64_t id, struct quiz_brief *brief,
                         struct buf *body, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_QUIZ_GET);
    int rc;

    memset(brief, 0, sizeof *brief);
    sqlite3_bind_int64(s, 1, id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "quiz");
    }
    brief->id = id;
    brief->title_zh = col_dup(s, 0);
    brief->title_en = col_dup(s, 1);
    brief->published = sqlite3_column_int64(s, 2);
    buf_append(body, sqlite3_column_text(s, 3), (size_t)sqlite3_column_bytes(s, 3));
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_attempt_get(struct store *st, int64_t quiz_id, const char *who,
                            struct buf *answers, int64_t *score, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_ATTEMPT_GET);
    int rc;

    sqlite3_bind_int64(s, 1, quiz_id);
    bind_text(s, 2, who);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "attempt");
    }
    buf_append(answers, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    *score = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_attempt_put(struct store *st, int64_t quiz_id, const char *who,
                            const char *answers, int64_t score, int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_ATTEMPT_PUT);
    int rc;

    sqlite3_bind_int64(s, 1, quiz_id);
    bind_text(s, 2, who);
    bind_text(s, 3, answers);
    sqlite3_bind_int64(s, 4, score);
    sqlite3_bind_int64(s, 5, now);
    rc = finish(s, sqlite3_step(s));
    if (rc == SQLITE_OK)
        return GZ_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return err_set(err, GZ_ECONFLICT, "already answered");
    return db_err(st, err, "attempt");
}

static int lite_media_published(struct store *st, const char *name, int *published,
                                struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_MEDIA_PUBLISHED);
    int rc;

    *published = 0;
    bind_text(s, 1, name);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "media");
    }
    rc = sqlite3_column_type(s, 0) == SQLITE_NULL ? GZ_ENOTFOUND : GZ_OK;
    *published = sqlite3_column_int(s, 0) == 1;
    sqlite3_reset(s);
    return rc;
}

static int lite_story_by_slug(struct store *st, const char *slug, int64_t *id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_STORY_BY_SLUG);
    int rc;

    bind_text(s, 1, slug);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return GZ_OK;
    return rc == SQLITE_DONE ? GZ_ENOTFOUND : db_err(st, err, "story slug");
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


/* ---- accounts ---- */

static void bind_blob(sqlite3_stmt *s, int i, const unsigned char *d)
{
    sqlite3_bind_blob(s, i, d, 32, SQLITE_STATIC);
}

/* Which unique column a constraint failure names. */
static int conflict(struct store *st, struct err *err)
{
    const char *m = sqlite3_errmsg(lite(st)->db);
    if (strstr(m, "user.email"))
        return err_set(err, GZ_ECONFLICT, "email");
    if (strstr(m, "user.username"))
        return err_set(err, GZ_ECONFLICT, "username");
    if (strstr(m, "user.phone"))
        return err_set(err, GZ_ECONFLICT, "phone");
    return err_set(err, GZ_EDB, "user: %s", m);
}

static int step_write(struct store *st, sqlite3_stmt *s, struct err *err, const char *what)
{
    int rc = finish(s, sqlite3_step(s));
    if (rc == SQLITE_OK)
        return GZ_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return conflict(st, err);
    return db_err(st, err, what);
}

static int lite_user_create(struct store *st, const char *email, const char *username,
                            const char *pw_hash, const char *phone, const char *agreed,
                            int64_t now, int64_t *id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_INSERT);
    int rc;

    bind_text(s, 1, email);
    bind_text(s, 2, username);
    bind_text(s, 3, pw_hash);
    bind_text(s, 4, phone);
    bind_text(s, 5, agreed);
    sqlite3_bind_int64(s, 6, now);
    rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    rc = rc == SQLITE_ROW ? finish(s, rc) : finish(s, rc == SQLITE_DONE ? SQLITE_ERROR : rc);
    if (rc == SQLITE_OK)
        return GZ_OK;
    *id = 0;
    return (rc & 0xff) == SQLITE_CONSTRAINT ? conflict(st, err) : db_err(st, err, "user");
}

static int read_user(struct store *st, sqlite3_stmt *s, struct user *u, struct err *err)
{
    int rc = sqlite3_step(s);

    memset(u, 0, sizeof *u);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "user");
    }
    u->id = sqlite3_column_int64(s, 0);
    u->email = col_dup(s, 1);
    u->username = col_dup(s, 2);
    u->pw_hash = col_dup(s, 3);
    u->phone = col_dup(s, 4);
    u->role = col_role(s, 5);
    u->font_size = sqlite3_column_int(s, 6);
    u->rate = sqlite3_column_double(s, 7);
    u->created = sqlite3_column_int64(s, 8);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_user_get(struct store *st, int64_t id, struct user *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_GET);
    sqlite3_bind_int64(s, 1, id);
    return read_user(st, s, out, err);
}

static int lite_user_by_login(struct store *st, const char *login, struct user *out,
                              struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_BY_LOGIN);
    bind_text(s, 1, login);
    return read_user(st, s, out, err);
}

static int lite_user_by_phone(struct store *st, const char *phone, struct user *out,
                              struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_BY_PHONE);
    bind_text(s, 1, phone);
    return read_user(st, s, out, err);
}

static int lite_user_update(struct store *st, const struct user *u, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_UPDATE);
    sqlite3_bind_int64(s, 1, u->id);
    bind_text(s, 2, u->email);
    bind_text(s, 3, u->username);
    bind_text(s, 4, u->pw_hash);
    bind_text(s, 5, u->phone);
    if (u->font_size)
        sqlite3_bind_int(s, 6, u->font_size);
    if (u->rate > 0)
        sqlite3_bind_double(s, 7, u->rate);
    return step_write(st, s, err, "user update");
}

static int lite_user_set_prefs(struct store *st, int64_t id, int font_size, double rate,
                               struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_PREFS);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    if (font_size > 0)
        sqlite3_bind_int(s, 2, font_size);
    if (rate > 0)
        sqlite3_bind_double(s, 3, rate);
    rc = step_write(st, s, err, "user preferences");
    if (rc == GZ_OK && sqlite3_changes(lite(st)->db) == 0)
        rc = err_set(err, GZ_ENOTFOUND, "no account %lld", (long long)id);
    return rc;
}

static int lite_user_set_role(struct store *st, int64_t id, enum user_role role,
                              struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_ROLE);
    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, user_role_name(role));
    return step_write(st, s, err, "user role");
}

static int lite_user_delete(struct store *st, int64_t id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_DELETE);
    sqlite3_bind_int64(s, 1, id);
    return step_write(st, s, err, "user delete");
}

static int lite_session_put(struct store *st, int64_t user_id, const unsigned char *digest,
                            int64_t now, int64_t expires, const char *series, const char *ua,
                            const char *ip, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_INSERT);
    sqlite3_bind_int64(s, 1, user_id);
    bind_blob(s, 2, digest);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, expires);
    bind_text(s, 5, series);
    bind_text(s, 6, ua ? ua : "");
    bind_text(s, 7, ip ? ip : "");
    return step_write(st, s, err, "session");
}

static int lite_session_find(struct store *st, const unsigned char *digest, int64_t now,
                             int64_t *user_id, int64_t *session_id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_FIND);
    int rc;

    bind_blob(s, 1, digest);
    sqlite3_bind_int64(s, 2, now);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "session");
    }
    *session_id = sqlite3_column_int64(s, 0);
    *user_id = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_session_touch(struct store *st, int64_t session_id, int64_t now,
                              struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_TOUCH);
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, now);
    return step_write(st, s, err, "session touch");
}

static int lite_session_delete(struct store *st, const unsigned char *digest, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_DELETE);
    bind_blob(s, 1, digest);
    return step_write(st, s, err, "session delete");
}

static int lite_session_delete_id(struct store *st, int64_t user_id, int64_t sid,
                                  struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_DELETE_ID);
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, sid);
    return step_write(st, s, err, "session delete");
}

static int lite_session_delete_user(struct store *st, int64_t user_id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_DELETE_USER);
    sqlite3_bind_int64(s, 1, user_id);
    return step_write(st, s, err, "sessions delete");
}

static int lite_session_delete_series(struct store *st, const char *series, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_DELETE_SERIES);
    bind_text(s, 1, series);
    return step_write(st, s, err, "sessions delete");
}

static int lite_session_list(struct store *st, int64_t user_id, const unsigned char *current,
                             int64_t now, struct session_list *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SESSION_LIST);
    size_t cap = 0;
    int rc;
    unsigned char none[32] = { 0 };

    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(s, 1, user_id);
    bind_blob(s, 2, current ? current : none);
    sqlite3_bind_int64(s, 3, now);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct session_row *r;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 8;
            out->item = xrealloc(out->item, cap * sizeof *out->item);
        }
        r = &out->item[out->n++];
        r->id = sqlite3_column_int64(s, 0);
        r->created = sqlite3_column_int64(s, 1);
        r->last_seen = sqlite3_column_int64(s, 2);
        r->expires = sqlite3_column_int64(s, 3);
        r->user_agent = col_dup(s, 4);
        r->ip = col_dup(s, 5);
        r->current = sqlite3_column_int(s, 6);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        session_list_release(out);
        return db_err(st, err, "sessions");
    }
    return GZ_OK;
}

static int lite_remember_put(struct store *st, const char *selector, int64_t user_id,
                             const unsigned char *vd, int64_t now, int64_t expires,
                             const char *ua, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_REMEMBER_INSERT);
    bind_text(s, 1, selector);
    sqlite3_bind_int64(s, 2, user_id);
    bind_blob(s, 3, vd);
    sqlite3_bind_int64(s, 4, now);
    sqlite3_bind_int64(s, 5, expires);
    bind_text(s, 6, ua ? ua : "");
    return step_write(st, s, err, "remember");
}

static int lite_remember_get(struct store *st, const char *selector, int64_t *user_id,
                             unsigned char *vd, int64_t *expires, unsigned char *prev,
                             int64_t *rotated, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_REMEMBER_GET);
    int rc;

    bind_text(s, 1, selector);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW || sqlite3_column_bytes(s, 1) != 32) {
        sqlite3_reset(s);
        return db_err(st, err, "remember");
    }
    *user_id = sqlite3_column_int64(s, 0);
    memcpy(vd, sqlite3_column_blob(s, 1), 32);
    *expires = sqlite3_column_int64(s, 2);
    memset(prev, 0, 32);
    if (sqlite3_column_bytes(s, 3) == 32)
        memcpy(prev, sqlite3_column_blob(s, 3), 32);
    *rotated = sqlite3_column_int64(s, 4);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_remember_rotate(struct store *st, const char *selector, const unsigned char *vd,
                                int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_REMEMBER_ROTATE);
    bind_text(s, 1, selector);
    bind_blob(s, 2, vd);
    sqlite3_bind_int64(s, 3, now);
    return step_write(st, s, err, "remember rotate");
}

static int lite_remember_delete(struct store *st, const char *selector, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_REMEMBER_DELETE);
    bind_text(s, 1, selector);
    return step_write(st, s, err, "remember delete");
}

static int lite_remember_delete_user(struct store *st, int64_t user_id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_REMEMBER_DELETE_USER);
    sqlite3_bind_int64(s, 1, user_id);
    return step_write(st, s, err, "remember delete");
}

static int lite_reset_put(struct store *st, const unsigned char *digest, int64_t user_id,
                          int64_t expires, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RESET_INSERT);
    bind_blob(s, 1, digest);
    sqlite3_bind_int64(s, 2, user_id);
    sqlite3_bind_int64(s, 3, expires);
    return step_write(st, s, err, "reset");
}

static int lite_reset_take(struct store *st, const unsigned char *digest, int64_t now,
                           int64_t *user_id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RESET_TAKE);
    int rc;

    bind_blob(s, 1, digest);
    sqlite3_bind_int64(s, 2, now);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    *user_id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (finish(s, rc) != SQLITE_OK) { /* the token must be spent before it is honoured */
        *user_id = 0;
        return db_err(st, err, "reset");
    }
    return GZ_OK;
}

static int lite_sms_put(struct store *st, const char *phone, const unsigned char *digest,
                        int64_t expires, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SMS_PUT);
    bind_text(s, 1, phone);
    bind_blob(s, 2, digest);
    sqlite3_bind_int64(s, 3, expires);
    return step_write(st, s, err, "sms code");
}

static int lite_sms_get(struct store *st, const char *phone, unsigned char *digest,
                        int64_t *expires, int64_t *attempts, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SMS_GET);
    int rc;

    bind_text(s, 1, phone);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW || sqlite3_column_bytes(s, 0) != 32) {
        sqlite3_reset(s);
        return db_err(st, err, "sms code");
    }
    memcpy(digest, sqlite3_column_blob(s, 0), 32);
    *expires = sqlite3_column_int64(s, 1);
    *attempts = sqlite3_column_int64(s, 2);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_sms_attempt(struct store *st, const char *phone, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SMS_ATTEMPT);
    bind_text(s, 1, phone);
    return step_write(st, s, err, "sms attempt");
}

static int lite_sms_delete(struct store *st, const char *phone, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_SMS_DELETE);
    bind_text(s, 1, phone);
    return step_write(st, s, err, "sms delete");
}

static int lite_rate_add(struct store *st, const char *key, int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RATE_ADD);
    bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, now);
    return step_write(st, s, err, "rate");
}

static int lite_rate_count(struct store *st, const char *key, int64_t since, int64_t *n,
                           int64_t *last, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RATE_COUNT);
    bind_text(s, 1, key);
    sqlite3_bind_int64(s, 2, since);
    if (sqlite3_step(s) != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "rate");
    }
    *n = sqlite3_column_int64(s, 0);
    *last = sqlite3_column_int64(s, 1);
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_rate_clear(struct store *st, const char *key, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RATE_CLEAR);
    bind_text(s, 1, key);
    return step_write(st, s, err, "rate clear");
}

static int lite_rate_prune(struct store *st, int64_t before, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_RATE_PRUNE);
    sqlite3_bind_int64(s, 1, before);
    return step_write(st, s, err, "rate prune");
}

static int lite_audit_add(struct store *st, int64_t user_id, int64_t now, const char *event,
                          const char *ip, const char *detail, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_AUDIT_ADD);
    if (user_id > 0)
        sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, now);
    bind_text(s, 3, event);
    bind_text(s, 4, ip ? ip : "");
    bind_text(s, 5, detail ? detail : "");
    return step_write(st, s, err, "audit");
}

static int lite_audit_list(struct store *st, int64_t user_id, int limit, struct audit_list *out,
                           struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_AUDIT_LIST);
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int(s, 2, limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct audit_row *r;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->item = xrealloc(out->item, cap * sizeof *out->item);
        }
        r = &out->item[out->n++];
        r->at = sqlite3_column_int64(s, 0);
        r->event = col_dup(s, 1);
        r->ip = col_dup(s, 2);
        r->detail = col_dup(s, 3);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        audit_list_release(out);
        return db_err(st, err, "audit");
    }
    return GZ_OK;
}

static int lite_outbox_add(struct store *st, const char *kind, const char *rcpt,
                           const char *subject, const char *body, int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_OUTBOX_ADD);
    bind_text(s, 1, kind);
    bind_text(s, 2, rcpt);
    bind_text(s, 3, subject ? subject : "");
    bind_text(s, 4, body);
    sqlite3_bind_int64(s, 5, now);
    return step_write(st, s, err, "outbox");
}

static int lite_outbox_list(struct store *st, int limit, struct outbox_list *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_OUTBOX_LIST);
    size_t cap = 0;
    int rc;

    memset(out, 0, sizeof *out);
    sqlite3_bind_int(s, 1, limit);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct outbox_row *r;
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            out->item = xrealloc(out->item, cap * sizeof *out->item);
        }
        r = &out->item[out->n++];
        r->id = sqlite3_column_int64(s, 0);
        r->at = sqlite3_column_int64(s, 1);
        r->kind = col_dup(s, 2);
        r->rcpt = col_dup(s, 3);
        r->subject = col_dup(s, 4);
        r->body = col_dup(s, 5);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        outbox_list_release(out);
        return db_err(st, err, "outbox");
    }
    return GZ_OK;
}

/* ---- newsroom ---- */

static int lite_newsroom_list(struct store *st, const char *section, const char *status,
                              int limit, struct brief_list *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_NEWSROOM_LIST);
    bind_text(s, 1, section);
    bind_text(s, 2, status);
    sqlite3_bind_int(s, 3, limit);
    return read_briefs(st, s, out, err);
}

static int lite_sections_all(struct store *st, struct section_list *out, struct err *err)
{
    return read_sections(st, q_get(st, Q_SECTIONS_ALL), out, err);
}

/* Run one statement and bump the content generation, in one transaction. */
static int write_and_bump(struct store *st, sqlite3_stmt *s, struct err *err, int *changes)
{
    sqlite3 *db = lite(st)->db;
    int owned, rc = tx_join(st, &owned, err);

    if (rc != GZ_OK) {
        sqlite3_reset(s);
        return rc;
    }
    rc = step_done(st, s, err, "update");
    if (changes)
        *changes = sqlite3_changes(db);
    if (rc == GZ_OK && (!changes || *changes > 0))
        rc = bump(st, err);
    return tx_end(st, owned, rc, err);
}

static int lite_story_set_status(struct store *st, int64_t id, enum story_status status,
                                 int64_t at, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_STORY_STATUS);
    int changes = 0, rc;

    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, story_status_name(status));
    if (at > 0)
        sqlite3_bind_int64(s, 3, at);
    sqlite3_bind_int64(s, 4, (int64_t)time(NULL));
    rc = write_and_bump(st, s, err, &changes);
    if (rc == GZ_OK && changes == 0)
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)id);
    return rc;
}

static int lite_image_put(struct store *st, const char *name, int64_t story_id,
                          const char *sizes, const char *alt, const char *caption, int64_t now,
                          struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_IMAGE_PUT);
    int rc;

    bind_text(s, 1, name);
    sqlite3_bind_int64(s, 2, story_id);
    bind_text(s, 3, sizes);
    bind_text(s, 4, alt ? alt : "");
    bind_text(s, 5, caption ? caption : "");
    sqlite3_bind_int64(s, 6, now);
    rc = finish(s, sqlite3_step(s));
    if (rc == SQLITE_OK)
        return GZ_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) /* the story is gone (foreign key) */
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)story_id);
    return db_err(st, err, "picture");
}

static int lite_image_published(struct store *st, const char *name, int *published,
                                struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_IMAGE_PUBLISHED);
    int rc;

    *published = 0;
    bind_text(s, 1, name);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "picture");
    }
    rc = sqlite3_column_type(s, 0) == SQLITE_NULL ? GZ_ENOTFOUND : GZ_OK;
    *published = sqlite3_column_int(s, 0) == 1;
    sqlite3_reset(s);
    return rc;
}

static int lite_story_set_lead(struct store *st, int64_t story_id, const char *name,
                               struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_STORY_SET_LEAD);
    int changes = 0, rc;

    sqlite3_bind_int64(s, 1, story_id);
    bind_text(s, 2, name);
    rc = write_and_bump(st, s, err, &changes);
    if (rc == GZ_OK && changes == 0)
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)story_id);
    return rc;
}

static int lite_publish_due(struct store *st, int64_t now, int *n, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_PUBLISH_DUE);
    sqlite3_bind_int64(s, 1, now);
    *n = 0;
    return write_and_bump(st, s, err, n);
}

static int lite_job_add(struct store *st, int64_t story_id, const char *lang, const char *audio,
                        int64_t now, int64_t *id, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_ADD);
    int rc;

    sqlite3_bind_int64(s, 1, story_id);
    bind_text(s, 2, lang);
    bind_text(s, 3, audio);
    sqlite3_bind_int64(s, 4, now);
    rc = sqlite3_step(s);
    *id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    if (rc != SQLITE_ROW || finish(s, rc) != SQLITE_OK) {
        sqlite3_reset(s);
        *id = 0;
        return db_err(st, err, "job");
    }
    return GZ_OK;
}

static int lite_job_claim(struct store *st, int64_t now, int64_t *id, int64_t *story_id,
                          char *lang, char *audio, size_t audio_cap, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_EXPIRE);
    int rc;

    sqlite3_bind_int64(s, 1, now);
    rc = step_done(st, s, err, "job expiry");
    if (rc != GZ_OK)
        return rc;
    s = q_get(st, Q_JOB_CLAIM);
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, store_job_lease());
    bind_text(s, 3, st->owner);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *story_id = sqlite3_column_int64(s, 1);
        snprintf(lang, 3, "%s", (const char *)sqlite3_column_text(s, 2));
        snprintf(audio, audio_cap, "%s", (const char *)sqlite3_column_text(s, 3));
        /* Claimed only once the update is committed: else two workers could run it. */
        if (finish(s, rc) != SQLITE_OK) {
            *id = 0;
            return db_err(st, err, "job claim");
        }
        return GZ_OK;
    }
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? GZ_ENOTFOUND : db_err(st, err, "job claim");
}

static int lite_job_progress(struct store *st, int64_t id, double progress, int64_t now,
                             struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_PROGRESS);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, progress);
    sqlite3_bind_int64(s, 3, now);
    sqlite3_bind_int64(s, 4, store_job_lease());
    bind_text(s, 5, st->owner);
    rc = step_done(st, s, err, "job progress");
    if (rc == GZ_OK && sqlite3_changes(lite(st)->db) == 0)
        rc = err_set(err, GZ_ECONFLICT, "job %lld is no longer ours (its lease ran out)",
                     (long long)id);
    return rc;
}

static int lite_job_finish(struct store *st, int64_t id, const char *state, const char *error,
                           int64_t flagged, double seconds, int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_FINISH);
    int rc;

    sqlite3_bind_int64(s, 1, id);
    bind_text(s, 2, state);
    bind_text(s, 3, error);
    sqlite3_bind_int64(s, 4, flagged);
    sqlite3_bind_double(s, 5, seconds);
    sqlite3_bind_int64(s, 6, now);
    bind_text(s, 7, st->owner);
    rc = step_done(st, s, err, "job finish");
    if (rc == GZ_OK && sqlite3_changes(lite(st)->db) == 0)
        rc = err_set(err, GZ_ECONFLICT, "job %lld is no longer ours (its lease ran out)",
                     (long long)id);
    return rc;
}

static int lite_job_requeue(struct store *st, struct err *err)
{
    return step_done(st, q_get(st, Q_JOB_REQUEUE), err, "job requeue");
}

static int lite_job_latest(struct store *st, int64_t story_id, const char *lang,
                           struct job_info *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_LATEST);
    int rc;

    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(s, 1, story_id);
    bind_text(s, 2, lang);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return GZ_ENOTFOUND;
    }
    if (rc != SQLITE_ROW) {
        sqlite3_reset(s);
        return db_err(st, err, "job");
    }
    out->id = sqlite3_column_int64(s, 0);
    snprintf(out->state, sizeof out->state, "%s", (const char *)sqlite3_column_text(s, 1));
    out->progress = sqlite3_column_double(s, 2);
    snprintf(out->error, sizeof out->error, "%s", (const char *)sqlite3_column_text(s, 3));
    out->flagged = sqlite3_column_int64(s, 4);
    out->seconds = sqlite3_column_double(s, 5);
    snprintf(out->audio, sizeof out->audio, "%s", (const char *)sqlite3_column_text(s, 6));
    sqlite3_reset(s);
    return GZ_OK;
}

static int lite_job_depth(struct store *st, int64_t *queued, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_DEPTH);
    int rc = sqlite3_step(s);

    *queued = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? GZ_OK : db_err(st, err, "job depth");
}

static int lite_job_backlog(struct store *st, int64_t now, struct job_backlog *out, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_JOB_BACKLOG);
    int rc;

    memset(out, 0, sizeof *out);
    sqlite3_bind_int64(s, 1, now);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->waiting = sqlite3_column_int64(s, 0);
        out->oldest_s = sqlite3_column_int64(s, 1);
        out->idle_s = sqlite3_column_int64(s, 2);
    }
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? GZ_OK : db_err(st, err, "job backlog");
}

static int lite_user_list(struct store *st, int limit, struct user **out, size_t *n,
                          struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_USER_LIST);
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    sqlite3_bind_int(s, 1, limit);
    for (;;) {
        struct user u;
        /* read_user steps once and resets; walk the rows by hand instead. */
        rc = sqlite3_step(s);
        if (rc != SQLITE_ROW)
            break;
        memset(&u, 0, sizeof u);
        u.id = sqlite3_column_int64(s, 0);
        u.email = col_dup(s, 1);
        u.username = col_dup(s, 2);
        u.phone = col_dup(s, 4);
        u.role = col_role(s, 5);
        u.created = sqlite3_column_int64(s, 8);
        if (*n == cap) {
            cap = cap ? cap * 2 : 16;
            *out = xrealloc(*out, cap * sizeof **out);
        }
        (*out)[(*n)++] = u;
    }
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < *n; i++)
            user_release(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return db_err(st, err, "users");
    }
    return GZ_OK;
}

static void lite_close(struct store *st)
{
    struct store_sqlite *l = lite(st);
    for (int i = 0; i < Q_COUNT; i++)
        sqlite3_finalize(l->q[i]);
    sqlite3_close(l->db);
    free(l);
}

static int lite_media_names(struct store *st, int (*fn)(void *cls, const char *name), void *cls,
                            struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_MEDIA_NAMES);
    int rc, stop = 0;

    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (name && *name) {
            stop = fn(cls, name);
            if (stop)
                break;
        }
    }
    sqlite3_reset(s);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return db_err(st, err, "media names");
    /* Pictures: every size of each, WebP and JPEG, as "img/NAME-<w>x<h>.ext". */
    s = q_get(st, Q_IMAGE_ALL);
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW)
        stop = story_image_files((const char *)sqlite3_column_text(s, 0),
                                 (const char *)sqlite3_column_text(s, 1), fn, cls);
    sqlite3_reset(s);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? GZ_OK : db_err(st, err, "media names");
}

static int lite_purge(struct store *st, int64_t now, int64_t *n, struct err *err)
{
    static const enum q_id q[] = {
        Q_PURGE_RATE,     Q_PURGE_AUDIT, Q_PURGE_OUTBOX, Q_PURGE_SESSION,
        Q_PURGE_REMEMBER, Q_PURGE_RESET, Q_PURGE_SMS,    Q_PURGE_ATTEMPT
    };
    sqlite3 *db = lite(st)->db;
    int rc = exec_plain(db, "BEGIN IMMEDIATE", err);

    *n = 0;
    for (size_t i = 0; rc == GZ_OK && i < GZ_NELEM(q); i++) {
        sqlite3_stmt *s = q_get(st, q[i]);
        sqlite3_bind_int64(s, 1, now);
        rc = step_done(st, s, err, "purge");
        *n += sqlite3_changes(db);
    }
    if (rc == GZ_OK)
        rc = exec_plain(db, "COMMIT", err);
    if (rc != GZ_OK)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int lite_position_put(struct store *st, int64_t user_id, int64_t story_id,
                             const char *lang, int64_t t_ms, int64_t now, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_POSITION_PUT);
    int rc;

    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, story_id);
    bind_text(s, 3, lang);
    sqlite3_bind_int64(s, 4, t_ms);
    sqlite3_bind_int64(s, 5, now);
    rc = step_write(st, s, err, "position");
    if (rc == GZ_OK && sqlite3_changes(lite(st)->db) == 0)
        return err_set(err, GZ_ENOTFOUND, "no narrated story %lld in '%s'", (long long)story_id,
                       lang);
    return rc;
}

static int lite_position_get(struct store *st, int64_t user_id, int64_t story_id,
                             const char *lang, int64_t *t_ms, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_POSITION_GET);
    int rc, found;

    *t_ms = 0;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, story_id);
    bind_text(s, 3, lang);
    rc = sqlite3_step(s);
    found = rc == SQLITE_ROW;
    if (found)
        *t_ms = sqlite3_column_int64(s, 0);
    rc = finish(s, rc);
    if (rc != SQLITE_OK)
        return db_err(st, err, "position");
    return found ? GZ_OK : GZ_ENOTFOUND;
}

static int lite_position_delete(struct store *st, int64_t user_id, int64_t story_id,
                                const char *lang, struct err *err)
{
    sqlite3_stmt *s = q_get(st, Q_POSITION_DELETE);

    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, story_id);
    bind_text(s, 3, lang);
    return step_write(st, s, err, "position delete");
}

static const struct store_ops lite_ops = {
    .tx_begin = lite_tx_begin,
    .tx_commit = lite_tx_commit,
    .tx_rollback = lite_tx_rollback,
    .generation = lite_generation,
    .sections = lite_sections,
    .latest = lite_latest,
    .related = lite_related,
    .story_get = lite_story_get,
    .story_put = lite_story_put,
    .story_count = lite_story_count,
    .search = lite_search,
    .quiz_put = lite_quiz_put,
    .quiz_get = lite_quiz_get,
    .attempt_get = lite_attempt_get,
    .attempt_put = lite_attempt_put,
    .story_by_slug = lite_story_by_slug,
    .media_published = lite_media_published,
    .quiz_latest = lite_quiz_latest,
    .setting_get = lite_setting_get,
    .setting_put = lite_setting_put,
    .user_create = lite_user_create,
    .user_get = lite_user_get,
    .user_by_login = lite_user_by_login,
    .user_by_phone = lite_user_by_phone,
    .user_update = lite_user_update,
    .user_set_prefs = lite_user_set_prefs,
    .user_set_role = lite_user_set_role,
    .user_delete = lite_user_delete,
    .session_put = lite_session_put,
    .session_find = lite_session_find,
    .session_touch = lite_session_touch,
    .session_delete = lite_session_delete,
    .session_delete_id = lite_session_delete_id,
    .session_delete_user = lite_session_delete_user,
    .session_delete_series = lite_session_delete_series,
    .session_list = lite_session_list,
    .remember_put = lite_remember_put,
    .remember_get = lite_remember_get,
    .remember_rotate = lite_remember_rotate,
    .remember_delete = lite_remember_delete,
    .remember_delete_user = lite_remember_delete_user,
    .reset_put = lite_reset_put,
    .reset_take = lite_reset_take,
    .sms_put = lite_sms_put,
    .sms_get = lite_sms_get,
    .sms_attempt = lite_sms_attempt,
    .sms_delete = lite_sms_delete,
    .rate_add = lite_rate_add,
    .rate_count = lite_rate_count,
    .rate_clear = lite_rate_clear,
    .rate_prune = lite_rate_prune,
    .audit_add = lite_audit_add,
    .audit_list = lite_audit_list,
    .outbox_add = lite_outbox_add,
    .outbox_list = lite_outbox_list,
    .newsroom_list = lite_newsroom_list,
    .sections_all = lite_sections_all,
    .story_set_status = lite_story_set_status,
    .publish_due = lite_publish_due,
    .job_add = lite_job_add,
    .job_claim = lite_job_claim,
    .job_progress = lite_job_progress,
    .job_finish = lite_job_finish,
    .job_requeue = lite_job_requeue,
    .job_latest = lite_job_latest,
    .job_depth = lite_job_depth,
    .job_backlog = lite_job_backlog,
    .user_list = lite_user_list,
    .media_names = lite_media_names,
    .image_put = lite_image_put,
    .image_published = lite_image_published,
    .story_set_lead = lite_story_set_lead,
    .purge = lite_purge,
    .close = lite_close,
    .position_put = lite_position_put,
    .position_get = lite_position_get,
    .position_delete = lite_position_delete,
};

int store_open_sqlite(const char *path, struct store **out, struct err *err)
{
    struct store_sqlite *l = xcalloc(1, sizeof *l);
    int rc;

    *out = NULL;
    l->base.ops = &lite_ops;
    store_owner_init(&l->base);
    if (sqlite3_open_v2(path, &l->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "cannot open database '%s': %s", path,
                     l->db ? sqlite3_errmsg(l->db) : "out of memory");
        goto fail;
    }
    sqlite3_busy_timeout(l->db, 5000);
    rc = exec_plain(l->db,
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
                    err);
    if (rc == GZ_OK)
        rc = migrate(l->db, err);
    if (rc != GZ_OK) {
        struct err why = *err; /* name the file; err_set must not format err->msg into itself */
        int ro = sqlite3_db_readonly(l->db, "main") == 1;
        rc = err_set(err, rc, "database '%s': %s%s", path, why.msg,
                     ro ? " (the file or its folder is read-only)" : "");
        goto fail;
    }
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
