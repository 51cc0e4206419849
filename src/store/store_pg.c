/*
 * store_pg.c: the PostgreSQL backend, for several app servers on one database (libpq).
 * Same queries as SQLite (queries.def, PostgreSQL column), prepared once per connection,
 * parameters sent apart from the SQL (text, or binary for digests), results read as text.
 *
 * What differs from SQLite, and why:
 *  - Transactions: tx_begin takes one transaction-scoped advisory lock, so service flows run
 *    one at a time across every server, exactly as BEGIN IMMEDIATE makes them on SQLite; the
 *    flows' reasoning (read, check, write) holds on both. Page reads never take it.
 *  - A statement that fails inside a transaction aborts it on PostgreSQL. Writes whose
 *    failure a flow handles (a taken e-mail, a second quiz answer) run inside a savepoint
 *    when a transaction is open, so the flow can go on as it does on SQLite.
 *  - The content generation: GEN_BUMP notifies channel gazette_content (delivered at
 *    commit). Each connection LISTENs; generation() re-reads the number when a
 *    notification arrived, after a commit of this process that bumped it, and at least every
 *    second anyway (the polling fallback).
 *  - A lost connection (database restart) is re-opened once, outside a transaction, and the
 *    statements prepared again; inside one, the flow fails with GZ_EBUSY (503).
 *  - Migrations (sql/pg/) run in one transaction under an advisory lock, so servers starting
 *    together apply them once; the version is in table gazette_schema.
 */
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#include "core/embed.h"
#include "core/log.h"

enum q_id {
#define Q(id, lite, pg) Q_##id,
#include "store/queries.def"
#undef Q
    Q_COUNT
};

static const char *const q_sql[] = {
#define Q(id, lite, pg) pg,
#include "store/queries.def"
#undef Q
};

/* How often generation() asks even without a notification (ms). */
#define GEN_POLL_MS 1000
#define MAX_PARAMS 16

struct store_pg {
    struct store base; /* first: a struct store * is a struct store_pg * */
    PGconn *conn;
    int64_t gen, gen_ms; /* the last content generation read, and when (monotonic ms; -1) */
    uint64_t seen_local; /* store_local_bumps() when gen was read */
    int bumped;          /* the open transaction bumped the generation */
};


static struct store_pg *pg(struct store *st)
{
    return (struct store_pg *)st;
}

/* Parameters of one statement. Numbers are formatted into num; digests go binary. */
struct params {
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS], fmt[MAX_PARAMS];
    char num[MAX_PARAMS][32];
    int n;
};

static void p_init(struct params *p)
{
    memset(p, 0, sizeof *p);
}

static void p_text(struct params *p, const char *t)
{
    p->v[p->n++] = t;
}

static void p_i64(struct params *p, int64_t v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%lld", (long long)v);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

static void p_dbl(struct params *p, double v)
{
    snprintf(p->num[p->n], sizeof p->num[p->n], "%.17g", isfinite(v) ? v : 0.0);
    p->v[p->n] = p->num[p->n];
    p->n++;
}

/* NULL for "none" (a value <= 0): an optional id, time, size or rate. */
static void p_i64_opt(struct params *p, int64_t v)
{
    if (v > 0)
        p_i64(p, v);
    else
        p_text(p, NULL);
}

static void p_dbl_opt(struct params *p, double v)
{
    if (v > 0)
        p_dbl(p, v);
    else
        p_text(p, NULL);
}

static void p_blob(struct params *p, const unsigned char *d, int len)
{
    p->v[p->n] = (const char *)d;
    p->len[p->n] = len;
    p->fmt[p->n] = 1;
    p->n++;
}

static int64_t mono_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The GZ code for a failed result: a full disk, and what a retry may cure (lock timeouts,
 * deadlocks, serialization failures, a database restarting), are told apart from the rest. */
static int gz_code(const PGresult *res)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

    if (!state)
        return GZ_EBUSY; /* no answer at all: the connection went away */
    if (strcmp(state, "53100") == 0)
        return GZ_EFULL;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
        strcmp(state, "55P03") == 0 || strcmp(state, "57014") == 0 ||
        strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
        return GZ_EBUSY;
    return GZ_EDB;
}

static int res_err(struct store *st, const PGresult *res, struct err *err, const char *what)
{
    const char *m = res ? PQresultErrorMessage(res) : "";
    size_t n;

    if (!m || !*m)
        m = PQerrorMessage(pg(st)->conn);
    n = strlen(m);
    while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
        n--;
    return err_set(err, gz_code(res), "%s: %.*s", what, (int)n, m);
}

static int exec_plain(PGconn *c, const char *sql, struct err *err)
{
    PGresult *res = PQexec(c, sql); /* constant SQL only: no runtime data */
    ExecStatusType s = PQresultStatus(res);
    int rc = GZ_OK;

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        const char *m = PQresultErrorMessage(res);
        rc = err_set(err, gz_code(res), "'%.60s': %s", sql, m && *m ? m : PQerrorMessage(c));
    }
    PQclear(res);
    return rc;
}

/* A statement of queries.def run unprepared (migrations come before statements are prepared,
 * and the flow lock is taken once per flow). */
static int exec_q_once(PGconn *c, enum q_id id, const char *arg, PGresult **out, struct err *err)
{
    PGresult *res = PQexecParams(c, q_sql[id], arg ? 1 : 0, NULL, arg ? &arg : NULL, NULL, NULL, 0);
    ExecStatusType s = PQresultStatus(res);

    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        int rc = err_set(err, gz_code(res), "%s", PQresultErrorMessage(res));
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return GZ_OK;
}

static int in_tx(struct store *st)
{
    PGTransactionStatusType t = PQtransactionStatus(pg(st)->conn);
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

/* What a new (or re-opened) connection needs: its settings, every statement prepared, and the
 * content channel listened to. A lock held by another server is waited for 5 s at most, as
 * SQLite's busy timeout (then GZ_EBUSY, 503). */
static int session_init(PGconn *c, struct err *err)
{
    int rc = exec_plain(c, "SET lock_timeout = '5s'", err);

    for (int i = 0; rc == GZ_OK && i < Q_COUNT; i++) {
        char name[16];
        PGresult *res;

        snprintf(name, sizeof name, "q%d", i);
        res = PQprepare(c, name, q_sql[i], 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = err_set(err, GZ_EDB, "cannot prepare query %d: %s", i, PQresultErrorMessage(res));
        PQclear(res);
    }
    return rc == GZ_OK ? exec_plain(c, "LISTEN gazette_content", err) : rc;
}

/* After the connection dropped: reconnect and prepare again. */
static int reconnect(struct store *st, struct err *err)
{
    struct store_pg *p = pg(st);

    PQreset(p->conn);
    if (PQstatus(p->conn) != CONNECTION_OK)
        return err_set(err, GZ_EBUSY, "database connection lost: %s", PQerrorMessage(p->conn));
    p->gen_ms = -1;
    log_warn("store", "reconnected to PostgreSQL");
    return session_init(p->conn, err);
}

static PGresult *exec_q(struct store *st, enum q_id id, const struct params *p)
{
    char name[16];

    snprintf(name, sizeof name, "q%d", (int)id);
    return PQexecPrepared(pg(st)->conn, name, p ? p->n : 0, p ? p->v : NULL,
                          p ? p->len : NULL, p ? p->fmt : NULL, 0);
}

/* Run prepared statement id. OUT: *out, the result (PQclear it) when GZ_OK. A connection
 * lost outside a transaction is re-opened and the statement run again, once. */
static int run(struct store *st, enum q_id id, const struct params *p, PGresult **out,
               struct err *err, const char *what)
{
    PGresult *res;
    ExecStatusType s;
    int was_tx = in_tx(st);

    *out = NULL;
    res = exec_q(st, id, p);
    s = PQresultStatus(res);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK &&
        PQstatus(pg(st)->conn) == CONNECTION_BAD && !was_tx) {
        PQclear(res);
        if (reconnect(st, err) != GZ_OK)
            return err->code;
        res = exec_q(st, id, p);
        s = PQresultStatus(res);
    }
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
        int rc = res_err(st, res, err, what);
        PQclear(res);
        return rc;
    }
    *out = res;
    return GZ_OK;
}

/* Run a statement whose result is not read. OUT: *changes (may be NULL), rows it touched. */
static int run_done(struct store *st, enum q_id id, const struct params *p, int64_t *changes,
                    struct err *err, const char *what)
{
    PGresult *res;
    int rc = run(st, id, p, &res, err, what);

    if (rc != GZ_OK)
        return rc;
    if (id == Q_GEN_BUMP)
        pg(st)->bumped = 1;
    if (changes)
        *changes = strtoll(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return GZ_OK;
}

static char *col_dup(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

static int64_t col_i64(const PGresult *r, int row, int col)
{
    const char *v = PQgetvalue(r, row, col);
    if (PQgetisnull(r, row, col))
        return 0;
    if (v[0] == 't' && !v[1])
        return 1;
    if (v[0] == 'f' && !v[1])
        return 0;
    return strtoll(v, NULL, 10);
}

static double col_dbl(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

/* A bytea column of exactly n bytes into out: 0 when it is, -1 when NULL or another size. */
static int col_blob(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
    size_t len = 0;
    unsigned char *b;
    int ok;

    if (PQgetisnull(r, row, col))
        return -1;
    b = PQunescapeBytea((const unsigned char *)PQgetvalue(r, row, col), &len);
    ok = b && len == n;
    if (ok)
        memcpy(out, b, n);
    PQfreemem(b);
    return ok ? 0 : -1;
}

static void col_str(const PGresult *r, int row, int col, char *out, size_t cap)
{
    snprintf(out, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static enum story_status col_status(const PGresult *r, int row, int col)
{
    enum story_status v = STORY_DRAFT;
    if (story_status_parse(PQgetvalue(r, row, col), &v) != GZ_OK)
        v = STORY_DRAFT;
    return v;
}

static enum user_role col_role(const PGresult *r, int row, int col)
{
    enum user_role v = ROLE_READER;
    if (!user_role_parse(PQgetvalue(r, row, col), &v))
        v = ROLE_READER;
    return v;
}

/* ---- migrations ---- */

static int migrate(PGconn *c, struct err *err)
{
    PGresult *res;
    int version = 0, rc;

    rc = exec_plain(c, "BEGIN", err);
    if (rc == GZ_OK)
        rc = exec_q_once(c, Q_SCHEMA_LOCK, NULL, NULL, err);
    if (rc == GZ_OK)
        rc = exec_plain(c, "CREATE TABLE IF NOT EXISTS gazette_schema (version integer NOT NULL)",
                        err);
    if (rc == GZ_OK)
        rc = exec_q_once(c, Q_SCHEMA_VERSION, NULL, &res, err);
    if (rc == GZ_OK) {
        version = PQntuples(res) == 1 ? (int)strtol(PQgetvalue(res, 0, 0), NULL, 10) : 0;
        PQclear(res);
    }
    if (rc == GZ_OK && version > (int)embed_sql_pg_n)
        rc = err_set(err, GZ_EDB, "database schema version %d is newer than this program (%zu)",
                     version, embed_sql_pg_n);
    for (size_t i = (size_t)version; rc == GZ_OK && i < embed_sql_pg_n; i++) {
        char v[24];

        rc = exec_plain(c, (const char *)embed_sql_pg[i].data, err);
        snprintf(v, sizeof v, "%zu", i + 1);
        if (rc == GZ_OK)
            rc = exec_q_once(c, Q_SCHEMA_SET, v, NULL, err);
        if (rc != GZ_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg); /* err_set must not read what it writes */
            rc = err_set(err, GZ_EDB, "migration '%s' failed: %s", embed_sql_pg[i].name, why);
        }
        if (rc == GZ_OK && version > 0)
            log_info("store", "applied migration %s", embed_sql_pg[i].name);
    }
    if (rc == GZ_OK && version > 0 && version == (int)embed_sql_pg_n)
        log_debug("store", "schema is current (version %d)", version);
    if (rc == GZ_OK)
        rc = exec_plain(c, "COMMIT", err);
    else
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

/* ---- transactions ---- */

static int pg_tx_begin(struct store *st, struct err *err)
{
    PGconn *c = pg(st)->conn;
    int rc;

    if (in_tx(st))
        return err_set(err, GZ_EINVAL, "a transaction is already open");
    if (PQstatus(c) == CONNECTION_BAD && reconnect(st, err) != GZ_OK)
        return err->code;
    rc = exec_plain(c, "BEGIN", err);
    if (rc == GZ_OK)
        rc = exec_q_once(c, Q_FLOW_LOCK, NULL, NULL, err);
    if (rc != GZ_OK && in_tx(st))
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

static int pg_tx_commit(struct store *st, struct err *err)
{
    PGconn *c = pg(st)->conn;
    PGresult *res;
    int rc = GZ_OK;

    if (!in_tx(st))
        return err_set(err, GZ_EDB, "commit: no transaction is open");
    if (PQtransactionStatus(c) == PQTRANS_INERROR) {
        PQclear(PQexec(c, "ROLLBACK"));
        return err_set(err, GZ_EDB, "commit: a statement of the transaction failed");
    }
    res = PQexec(c, "COMMIT");
    /* A COMMIT of a failed transaction answers "ROLLBACK": nothing was stored. */
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        rc = res_err(st, res, err, "commit");
    else if (strcmp(PQcmdStatus(res), "COMMIT") != 0)
        rc = err_set(err, GZ_EDB, "commit: the database rolled the transaction back");
    PQclear(res);
    if (rc == GZ_OK && pg(st)->bumped)
        store_note_bump();
    pg(st)->bumped = 0;
    if (rc != GZ_OK && in_tx(st))
        PQclear(PQexec(c, "ROLLBACK"));
    return rc;
}

static int pg_tx_rollback(struct store *st, struct err *err)
{
    pg(st)->bumped = 0;
    if (!in_tx(st))
        return GZ_OK;
    return exec_plain(pg(st)->conn, "ROLLBACK", err);
}

/* Open a transaction unless a flow holds one. OUT: *owned, 1 when this call opened it. */
static int tx_join(struct store *st, int *owned, struct err *err)
{
    *owned = 0;
    if (in_tx(st))
        return GZ_OK;
    *owned = 1;
    return exec_plain(pg(st)->conn, "BEGIN", err);
}

static int tx_end(struct store *st, int owned, int rc, struct err *err)
{
    if (owned && rc == GZ_OK)
        rc = pg_tx_commit(st, err);
    else if (owned && in_tx(st)) {
        PQclear(PQexec(pg(st)->conn, "ROLLBACK"));
        pg(st)->bumped = 0;
    }
    return rc;
}

/* A write whose failure the caller may handle and go on (a unique key taken): inside a
 * transaction it runs in a savepoint, so its failure does not abort the transaction. */
static int run_guarded(struct store *st, enum q_id id, const struct params *p, PGresult **out,
                       struct err *err, const char *what)
{
    PGconn *c = pg(st)->conn;
    int sp = in_tx(st), rc;

    if (sp && (rc = exec_plain(c, "SAVEPOINT gz_write", err)) != GZ_OK)
        return rc;
    rc = run(st, id, p, out, err, what);
    if (sp && rc == GZ_OK) {
        struct err e2 = { 0 };
        rc = exec_plain(c, "RELEASE SAVEPOINT gz_write", &e2);
        if (rc != GZ_OK) {
            *err = e2;
            PQclear(*out);
            *out = NULL;
        }
    } else if (sp) {
        PQclear(PQexec(c, "ROLLBACK TO SAVEPOINT gz_write"));
    }
    return rc;
}

/* Which unique index a failed account write names; else the database error as is. */
static int user_conflict(struct err *err, const char *what)
{
    const char *m = err->msg;

    if (!strstr(m, "duplicate key"))
        return err->code;
    if (strstr(m, "user_email"))
        return err_set(err, GZ_ECONFLICT, "email");
    if (strstr(m, "user_username"))
        return err_set(err, GZ_ECONFLICT, "username");
    if (strstr(m, "user_phone"))
        return err_set(err, GZ_ECONFLICT, "phone");
    return err_set(err, GZ_EDB, "%s: duplicate key", what);
}

static int write_user(struct store *st, enum q_id id, const struct params *p, struct err *err,
                      const char *what)
{
    PGresult *res;
    int rc = run_guarded(st, id, p, &res, err, what);

    if (rc != GZ_OK)
        return user_conflict(err, what);
    PQclear(res);
    return GZ_OK;
}

/* ---- content ---- */

static int pg_generation(struct store *st, int64_t *out, struct err *err)
{
    struct store_pg *p = pg(st);
    PGnotify *n;
    int fresh = 0;
    int64_t now = mono_ms();
    PGresult *res;
    int rc;

    /* Notifications that arrived since: PQconsumeInput reads what the socket holds without
     * waiting; libpq also keeps those that came in with earlier results. */
    if (!in_tx(st) && PQconsumeInput(p->conn))
        while ((n = PQnotifies(p->conn)) != NULL) {
            fresh = 1;
            PQfreemem(n);
        }
    if (store_local_bumps() != p->seen_local)
        fresh = 1;
    if (!fresh && p->gen_ms >= 0 && now - p->gen_ms < GEN_POLL_MS && !in_tx(st)) {
        *out = p->gen;
        return GZ_OK;
    }
    p->seen_local = store_local_bumps(); /* before the read: a later bump re-reads */
    p->gen_ms = -1; /* until the read succeeds: a failed one (its notifications taken) retries */
    rc = run(st, Q_GEN_GET, NULL, &res, err, "generation");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(res) != 1) {
        PQclear(res);
        return err_set(err, GZ_EDB, "generation: no row");
    }
    p->gen = col_i64(res, 0, 0);
    p->gen_ms = now;
    PQclear(res);
    *out = p->gen;
    return GZ_OK;
}

static int read_sections(struct store *st, enum q_id id, struct section_list *out,
                         struct err *err)
{
    PGresult *r;
    int rc = run(st, id, NULL, &r, err, "sections");

    out->item = NULL;
    out->n = 0;
    if (rc != GZ_OK)
        return rc;
    out->n = (size_t)PQntuples(r);
    out->item = out->n ? xcalloc(out->n, sizeof *out->item) : NULL;
    for (int i = 0; i < (int)out->n; i++) {
        out->item[i].slug = col_dup(r, i, 0);
        out->item[i].name_zh = col_dup(r, i, 1);
        out->item[i].name_en = col_dup(r, i, 2);
    }
    PQclear(r);
    return GZ_OK;
}

static int pg_sections(struct store *st, struct section_list *out, struct err *err)
{
    return read_sections(st, Q_SECTIONS, out, err);
}

static int read_briefs(struct store *st, enum q_id id, const struct params *p,
                       struct brief_list *out, struct err *err)
{
    PGresult *r;
    int rc = run(st, id, p, &r, err, "story list");

    out->item = NULL;
    out->n = 0;
    if (rc != GZ_OK)
        return rc;
    out->n = (size_t)PQntuples(r);
    out->item = out->n ? xcalloc(out->n, sizeof *out->item) : NULL;
    for (int i = 0; i < (int)out->n; i++) {
        struct story_brief *b = &out->item[i];
        b->id = col_i64(r, i, 0);
        b->section_slug = col_dup(r, i, 1);
        b->section_zh = col_dup(r, i, 2);
        b->section_en = col_dup(r, i, 3);
        b->published = col_i64(r, i, 4);
        b->headline[LANG_EN] = col_dup(r, i, 5);
        b->summary[LANG_EN] = col_dup(r, i, 6);
        b->headline[LANG_ZH] = col_dup(r, i, 7);
        b->summary[LANG_ZH] = col_dup(r, i, 8);
        if (!PQgetisnull(r, i, 10)) { /* a lead picture that exists */
            b->lead.name = col_dup(r, i, 9);
            b->lead.sizes = col_dup(r, i, 10);
            b->lead.alt = col_dup(r, i, 11);
        }
        if (PQnfields(r) > 13) { /* newsroom lists add status and version */
            b->status = col_status(r, i, 12);
            b->version = col_i64(r, i, 13);
        }
    }
    PQclear(r);
    return GZ_OK;
}

static int pg_latest(struct store *st, const char *section_slug, int limit,
                     struct brief_list *out, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, section_slug);
    p_i64(&p, limit);
    return read_briefs(st, Q_LATEST, &p, out, err);
}

static int pg_related(struct store *st, int64_t id, int limit, struct brief_list *out,
                      struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, id);
    p_i64(&p, limit);
    return read_briefs(st, Q_RELATED, &p, out, err);
}

/* a->image from the image table; a->lead (its name read with the story) filled in from it. */
static int read_images(struct store *st, struct story *a, struct err *err)
{
    struct params p;
    char *lead = a->lead.name;
    PGresult *r;
    int rc;

    a->lead.name = NULL;
    p_init(&p);
    p_i64(&p, a->id);
    rc = run(st, Q_IMAGE_LIST, &p, &r, err, "story pictures");
    if (rc != GZ_OK) {
        free(lead);
        return rc;
    }
    a->image = PQntuples(r) ? xcalloc((size_t)PQntuples(r), sizeof *a->image) : NULL;
    for (int i = 0; i < PQntuples(r); i++) {
        struct story_image *im = &a->image[a->n_image++];
        im->name = col_dup(r, i, 0);
        im->sizes = col_dup(r, i, 1);
        im->alt = col_dup(r, i, 2);
        im->caption = col_dup(r, i, 3);
        if (!im->name || !im->sizes || !im->alt || !im->caption) { /* NOT NULL columns */
            a->n_image--;
            story_image_release(im);
        }
    }
    PQclear(r);
    story_lead_from_images(a, lead);
    free(lead);
    return GZ_OK;
}

static int pg_story_get(struct store *st, int64_t id, struct story **out, struct err *err)
{
    struct story *a;
    struct params p;
    PGresult *r;
    int rc;

    *out = NULL;
    p_init(&p);
    p_i64(&p, id);
    rc = run(st, Q_STORY_GET, &p, &r, err, "story");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)id);
    }
    a = xcalloc(1, sizeof *a);
    for (int i = 0; i < LANG_COUNT; i++)
        a->l[i].tr.end = NAN;
    a->id = col_i64(r, 0, 0);
    a->slug = col_dup(r, 0, 1);
    a->section_slug = col_dup(r, 0, 2);
    a->section_zh = col_dup(r, 0, 3);
    a->section_en = col_dup(r, 0, 4);
    a->published = col_i64(r, 0, 5);
    a->copyright = col_dup(r, 0, 6);
    a->pairs = col_dup(r, 0, 7);
    a->tags = col_dup(r, 0, 8);
    a->status = col_status(r, 0, 9);
    a->version = col_i64(r, 0, 10);
    a->related = col_dup(r, 0, 11);
    a->lead.name = col_dup(r, 0, 12);
    PQclear(r);
    rc = read_images(st, a, err);
    if (rc != GZ_OK) {
        story_free(a);
        return rc;
    }

    rc = run(st, Q_STORY_LANGS, &p, &r, err, "story languages");
    if (rc != GZ_OK) {
        story_free(a);
        return rc;
    }
    for (int i = 0; i < PQntuples(r); i++) {
        const char *code = PQgetvalue(r, i, 0);
        struct story_lang *l;
        enum lang lg;

        if (lang_parse(code, strlen(code), &lg) != GZ_OK)
            continue;
        l = &a->l[lg];
        l->present = 1;
        l->headline = col_dup(r, i, 1);
        l->standfirst = col_dup(r, i, 2);
        l->summary = col_dup(r, i, 3);
        l->byline = col_dup(r, i, 4);
        rc = transcript_parse(PQgetvalue(r, i, 5), (size_t)PQgetlength(r, i, 5), &l->tr, err);
        if (rc != GZ_OK) {
            char why[sizeof err->msg];
            snprintf(why, sizeof why, "%s", err->msg); /* err_set must not read what it writes */
            PQclear(r);
            story_free(a);
            return err_set(err, GZ_EDB, "story %lld body: %s", (long long)id, why);
        }
        l->audio = col_dup(r, i, 6);
        l->duration = col_dbl(r, i, 7);
        l->synthetic = (int)col_i64(r, i, 8);
        l->markdown = col_dup(r, i, 9);
    }
    PQclear(r);
    *out = a;
    return GZ_OK;
}

/* Run a statement answering one row whose first column is an id. */
static int run_id(struct store *st, enum q_id id, const struct params *p, int64_t *out,
                  struct err *err, const char *what)
{
    PGresult *r;
    int rc = run(st, id, p, &r, err, what);

    *out = 0;
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) != 1)
        rc = err_set(err, GZ_EDB, "%s: no row returned", what);
    else
        *out = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_story_put(struct store *st, const struct story *a, int64_t *id, struct err *err)
{
    struct buf body, plain;
    struct params p;
    PGresult *r;
    int64_t sec_id = 0, sid = 0;
    int rc, owned = 0;

    buf_init(&body, 0);
    buf_init(&plain, 0);
    rc = tx_join(st, &owned, err);
    if (rc != GZ_OK)
        goto out;
    if (a->version > 0) {
        int64_t cur = -1;
        p_init(&p);
        p_text(&p, a->slug);
        rc = run(st, Q_STORY_VERSION, &p, &r, err, "story version");
        if (rc != GZ_OK)
            goto out;
        if (PQntuples(r) == 1)
            cur = col_i64(r, 0, 0);
        PQclear(r);
        if (cur != a->version) {
            rc = err_set(err, GZ_ECONFLICT, "story '%s' was saved by someone else (version %lld, "
                         "yours %lld)", a->slug, (long long)cur, (long long)a->version);
            goto out;
        }
    }
    p_init(&p);
    p_text(&p, a->section_slug);
    p_text(&p, a->section_zh);
    p_text(&p, a->section_en);
    rc = run_id(st, Q_SECTION_UPSERT, &p, &sec_id, err, "section");
    if (rc != GZ_OK)
        goto out;

    p_init(&p);
    p_text(&p, a->slug);
    p_i64(&p, sec_id);
    p_i64(&p, a->published);
    p_text(&p, a->copyright);
    p_text(&p, a->pairs);
    p_i64(&p, (int64_t)time(NULL));
    p_text(&p, story_status_name(a->status));
    p_text(&p, a->related);
    rc = run_id(st, Q_STORY_UPSERT, &p, &sid, err, "story");
    if (rc != GZ_OK)
        goto out;

    p_init(&p);
    p_i64(&p, sid);
    rc = run_done(st, Q_STORY_LANGS_DELETE, &p, NULL, err, "story languages");
    for (int i = 0; rc == GZ_OK && i < LANG_COUNT; i++) {
        const struct story_lang *l = &a->l[i];
        if (!l->present)
            continue;
        buf_truncate(&body, 0);
        transcript_body_json(&body, &l->tr);
        buf_truncate(&plain, 0);
        transcript_plain(&plain, &l->tr);
        if (body.err || plain.err) {
            rc = err_set(err, GZ_ETOOBIG, "body too large");
            break;
        }
        p_init(&p);
        p_i64(&p, sid);
        p_text(&p, lang_code((enum lang)i));
        p_text(&p, l->headline);
        p_text(&p, l->standfirst ? l->standfirst : "");
        p_text(&p, l->summary ? l->summary : "");
        p_text(&p, l->byline ? l->byline : "");
        p_text(&p, buf_cstr(&body));
        p_text(&p, l->audio);
        p_dbl(&p, l->duration);
        p_i64(&p, l->synthetic);
        p_text(&p, buf_cstr(&plain));
        p_text(&p, l->markdown);
        rc = run_done(st, Q_STORY_LANG_INSERT, &p, NULL, err, "story language");
    }
    if (rc == GZ_OK) {
        p_init(&p);
        p_i64(&p, sid);
        rc = run_done(st, Q_TAGS_DELETE, &p, NULL, err, "tags");
    }
    for (const char *t = a->tags; rc == GZ_OK && t && *t;) {
        const char *comma = strchr(t, ',');
        size_t n = comma ? (size_t)(comma - t) : strlen(t);
        if (n) {
            char *tag = xstrndup(t, n);
            p_init(&p);
            p_i64(&p, sid);
            p_text(&p, tag);
            rc = run_done(st, Q_TAG_INSERT, &p, NULL, err, "tag");
            free(tag);
        }
        t = comma ? comma + 1 : t + n;
    }
    if (rc == GZ_OK)
        rc = run_done(st, Q_GEN_BUMP, NULL, NULL, err, "generation");
    if (rc == GZ_OK)
        *id = sid;
out:
    rc = tx_end(st, owned, rc, err);
    buf_release(&body);
    buf_release(&plain);
    return rc;
}

static int pg_story_count(struct store *st, int64_t *out, struct err *err)
{
    return run_id(st, Q_STORY_COUNT, NULL, out, err, "count");
}

/* The same matches as SQLite's trigram index: the query as a substring of the headline,
 * standfirst or text, case-insensitively (ILIKE, % _ \ escaped). */
static int pg_search(struct store *st, const char *q, int limit, struct brief_list *out,
                     struct err *err)
{
    struct buf pat;
    struct params p;
    int rc;

    buf_init(&pat, 4096);
    buf_putc(&pat, '%');
    for (const char *c = q; *c; c++) {
        if (*c == '%' || *c == '_' || *c == '\\')
            buf_putc(&pat, '\\');
        buf_putc(&pat, *c);
    }
    buf_putc(&pat, '%');
    if (pat.err) {
        buf_release(&pat);
        out->item = NULL;
        out->n = 0;
        return err_set(err, GZ_ETOOBIG, "search: query too long");
    }
    p_init(&p);
    p_text(&p, buf_cstr(&pat));
    p_i64(&p, limit);
    rc = read_briefs(st, Q_SEARCH_LIKE, &p, out, err);
    buf_release(&pat);
    return rc;
}

static int pg_quiz_latest(struct store *st, struct quiz_brief *out, struct err *err)
{
    PGresult *r;
    int rc = run(st, Q_QUIZ_LATEST, NULL, &r, err, "quiz");

    memset(out, 0, sizeof *out);
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    out->id = col_i64(r, 0, 0);
    out->title_zh = col_dup(r, 0, 1);
    out->title_en = col_dup(r, 0, 2);
    out->published = col_i64(r, 0, 3);
    PQclear(r);
    return GZ_OK;
}

static int pg_quiz_put(struct store *st, const char *slug, const char *title_zh,
                       const char *title_en, int64_t published, const char *body, int64_t *id,
                       struct err *err)
{
    struct params p;
    int owned, rc = tx_join(st, &owned, err);

    *id = 0;
    if (rc != GZ_OK)
        return rc;
    p_init(&p);
    p_text(&p, slug);
    p_text(&p, title_zh);
    p_text(&p, title_en);
    p_i64(&p, published);
    p_text(&p, body);
    rc = run_id(st, Q_QUIZ_UPSERT, &p, id, err, "quiz");
    if (rc == GZ_OK)
        rc = run_done(st, Q_GEN_BUMP, NULL, NULL, err, "generation");
    return tx_end(st, owned, rc, err);
}

static int pg_quiz_get(struct store *st, int64_t id, struct quiz_brief *brief, struct buf *body,
                       struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    memset(brief, 0, sizeof *brief);
    p_init(&p);
    p_i64(&p, id);
    rc = run(st, Q_QUIZ_GET, &p, &r, err, "quiz");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    brief->id = id;
    brief->title_zh = col_dup(r, 0, 0);
    brief->title_en = col_dup(r, 0, 1);
    brief->published = col_i64(r, 0, 2);
    buf_append(body, PQgetvalue(r, 0, 3), (size_t)PQgetlength(r, 0, 3));
    PQclear(r);
    return GZ_OK;
}

static int pg_attempt_get(struct store *st, int64_t quiz_id, const char *who,
                          struct buf *answers, int64_t *score, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_i64(&p, quiz_id);
    p_text(&p, who);
    rc = run(st, Q_ATTEMPT_GET, &p, &r, err, "attempt");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    buf_append(answers, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    *score = col_i64(r, 0, 1);
    PQclear(r);
    return GZ_OK;
}

static int pg_attempt_put(struct store *st, int64_t quiz_id, const char *who,
                          const char *answers, int64_t score, int64_t now, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_i64(&p, quiz_id);
    p_text(&p, who);
    p_text(&p, answers);
    p_i64(&p, score);
    p_i64(&p, now);
    rc = run_guarded(st, Q_ATTEMPT_PUT, &p, &r, err, "attempt");
    if (rc == GZ_OK) {
        PQclear(r);
        return GZ_OK;
    }
    if (strstr(err->msg, "duplicate key"))
        return err_set(err, GZ_ECONFLICT, "already answered");
    return rc;
}

static int pg_media_published(struct store *st, const char *name, int *published,
                              struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *published = 0;
    p_init(&p);
    p_text(&p, name);
    rc = run(st, Q_MEDIA_PUBLISHED, &p, &r, err, "media");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ? GZ_ENOTFOUND : GZ_OK;
    if (rc == GZ_OK)
        *published = col_i64(r, 0, 0) == 1;
    PQclear(r);
    return rc;
}

static int pg_story_by_slug(struct store *st, const char *slug, int64_t *id, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, slug);
    rc = run(st, Q_STORY_BY_SLUG, &p, &r, err, "story slug");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) == 1 ? GZ_OK : GZ_ENOTFOUND;
    if (rc == GZ_OK)
        *id = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_setting_get(struct store *st, const char *key, struct buf *out, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, key);
    rc = run(st, Q_SETTING_GET, &p, &r, err, "setting");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) == 1 ? GZ_OK : GZ_ENOTFOUND;
    if (rc == GZ_OK)
        buf_append(out, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0));
    PQclear(r);
    return rc;
}

static int pg_setting_put(struct store *st, const char *key, const char *value, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, key);
    p_text(&p, value);
    return run_done(st, Q_SETTING_PUT, &p, NULL, err, "setting");
}

/* ---- accounts ---- */

/* A write with one parameter, a text or a number. */
static int text_op(struct store *st, enum q_id id, const char *v, const char *what,
                   struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, v);
    return run_done(st, id, &p, NULL, err, what);
}

static int i64_op(struct store *st, enum q_id id, int64_t v, const char *what, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, v);
    return run_done(st, id, &p, NULL, err, what);
}

static int pg_user_create(struct store *st, const char *email, const char *username,
                          const char *pw_hash, const char *phone, const char *agreed,
                          int64_t now, int64_t *id, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *id = 0;
    p_init(&p);
    p_text(&p, email);
    p_text(&p, username);
    p_text(&p, pw_hash);
    p_text(&p, phone);
    p_text(&p, agreed);
    p_i64(&p, now);
    rc = run_guarded(st, Q_USER_INSERT, &p, &r, err, "user");
    if (rc != GZ_OK)
        return user_conflict(err, "user");
    if (PQntuples(r) == 1)
        *id = col_i64(r, 0, 0);
    else
        rc = err_set(err, GZ_EDB, "user: no id returned");
    PQclear(r);
    return rc;
}

static int read_user(struct store *st, enum q_id id, const struct params *p, struct user *u,
                     struct err *err)
{
    PGresult *r;
    int rc = run(st, id, p, &r, err, "user");

    memset(u, 0, sizeof *u);
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    u->id = col_i64(r, 0, 0);
    u->email = col_dup(r, 0, 1);
    u->username = col_dup(r, 0, 2);
    u->pw_hash = col_dup(r, 0, 3);
    u->phone = col_dup(r, 0, 4);
    u->role = col_role(r, 0, 5);
    u->font_size = (int)col_i64(r, 0, 6);
    u->rate = col_dbl(r, 0, 7);
    u->created = col_i64(r, 0, 8);
    PQclear(r);
    return GZ_OK;
}

static int pg_user_get(struct store *st, int64_t id, struct user *out, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, id);
    return read_user(st, Q_USER_GET, &p, out, err);
}

static int pg_user_by_login(struct store *st, const char *login, struct user *out,
                            struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, login);
    return read_user(st, Q_USER_BY_LOGIN, &p, out, err);
}

static int pg_user_by_phone(struct store *st, const char *phone, struct user *out,
                            struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, phone);
    return read_user(st, Q_USER_BY_PHONE, &p, out, err);
}

static int pg_user_update(struct store *st, const struct user *u, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, u->id);
    p_text(&p, u->email);
    p_text(&p, u->username);
    p_text(&p, u->pw_hash);
    p_text(&p, u->phone);
    p_i64_opt(&p, u->font_size);
    p_dbl_opt(&p, u->rate);
    return write_user(st, Q_USER_UPDATE, &p, err, "user update");
}

static int pg_user_set_prefs(struct store *st, int64_t id, int font_size, double rate,
                             struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, id);
    p_i64_opt(&p, font_size);
    p_dbl_opt(&p, rate);
    rc = run_done(st, Q_USER_PREFS, &p, &changes, err, "user preferences");
    if (rc == GZ_OK && changes == 0)
        rc = err_set(err, GZ_ENOTFOUND, "no account %lld", (long long)id);
    return rc;
}

static int pg_user_set_role(struct store *st, int64_t id, enum user_role role, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, id);
    p_text(&p, user_role_name(role));
    return run_done(st, Q_USER_ROLE, &p, NULL, err, "user role");
}

static int pg_user_delete(struct store *st, int64_t id, struct err *err)
{
    return i64_op(st, Q_USER_DELETE, id, "user delete", err);
}

static int pg_session_put(struct store *st, int64_t user_id, const unsigned char *digest,
                          int64_t now, int64_t expires, const char *series, const char *ua,
                          const char *ip, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, user_id);
    p_blob(&p, digest, 32);
    p_i64(&p, now);
    p_i64(&p, expires);
    p_text(&p, series);
    p_text(&p, ua ? ua : "");
    p_text(&p, ip ? ip : "");
    return run_done(st, Q_SESSION_INSERT, &p, NULL, err, "session");
}

static int pg_session_find(struct store *st, const unsigned char *digest, int64_t now,
                           int64_t *user_id, int64_t *session_id, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_blob(&p, digest, 32);
    p_i64(&p, now);
    rc = run(st, Q_SESSION_FIND, &p, &r, err, "session");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) == 1 ? GZ_OK : GZ_ENOTFOUND;
    if (rc == GZ_OK) {
        *session_id = col_i64(r, 0, 0);
        *user_id = col_i64(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

static int pg_session_touch(struct store *st, int64_t session_id, int64_t now, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, session_id);
    p_i64(&p, now);
    return run_done(st, Q_SESSION_TOUCH, &p, NULL, err, "session touch");
}

static int pg_session_delete(struct store *st, const unsigned char *digest, struct err *err)
{
    struct params p;

    p_init(&p);
    p_blob(&p, digest, 32);
    return run_done(st, Q_SESSION_DELETE, &p, NULL, err, "session delete");
}

static int pg_session_delete_id(struct store *st, int64_t user_id, int64_t sid, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, user_id);
    p_i64(&p, sid);
    return run_done(st, Q_SESSION_DELETE_ID, &p, NULL, err, "session delete");
}

static int pg_session_delete_user(struct store *st, int64_t user_id, struct err *err)
{
    return i64_op(st, Q_SESSION_DELETE_USER, user_id, "sessions delete", err);
}

static int pg_session_delete_series(struct store *st, const char *series, struct err *err)
{
    return text_op(st, Q_SESSION_DELETE_SERIES, series, "sessions delete", err);
}

static int pg_session_list(struct store *st, int64_t user_id, const unsigned char *current,
                           int64_t now, struct session_list *out, struct err *err)
{
    static const unsigned char none[32];
    struct params p;
    PGresult *r;
    int rc;

    memset(out, 0, sizeof *out);
    p_init(&p);
    p_i64(&p, user_id);
    p_blob(&p, current ? current : none, 32);
    p_i64(&p, now);
    rc = run(st, Q_SESSION_LIST, &p, &r, err, "sessions");
    if (rc != GZ_OK)
        return rc;
    out->n = (size_t)PQntuples(r);
    out->item = out->n ? xcalloc(out->n, sizeof *out->item) : NULL;
    for (int i = 0; i < (int)out->n; i++) {
        struct session_row *s = &out->item[i];
        s->id = col_i64(r, i, 0);
        s->created = col_i64(r, i, 1);
        s->last_seen = col_i64(r, i, 2);
        s->expires = col_i64(r, i, 3);
        s->user_agent = col_dup(r, i, 4);
        s->ip = col_dup(r, i, 5);
        s->current = (int)col_i64(r, i, 6);
    }
    PQclear(r);
    return GZ_OK;
}

static int pg_remember_put(struct store *st, const char *selector, int64_t user_id,
                           const unsigned char *vd, int64_t now, int64_t expires,
                           const char *ua, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, selector);
    p_i64(&p, user_id);
    p_blob(&p, vd, 32);
    p_i64(&p, now);
    p_i64(&p, expires);
    p_text(&p, ua ? ua : "");
    return run_done(st, Q_REMEMBER_INSERT, &p, NULL, err, "remember");
}

static int pg_remember_get(struct store *st, const char *selector, int64_t *user_id,
                           unsigned char *vd, int64_t *expires, unsigned char *prev,
                           int64_t *rotated, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, selector);
    rc = run(st, Q_REMEMBER_GET, &p, &r, err, "remember");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    if (col_blob(r, 0, 1, vd, 32) != 0) {
        PQclear(r);
        return err_set(err, GZ_EDB, "remember: bad verifier");
    }
    *user_id = col_i64(r, 0, 0);
    *expires = col_i64(r, 0, 2);
    if (col_blob(r, 0, 3, prev, 32) != 0)
        memset(prev, 0, 32);
    *rotated = col_i64(r, 0, 4);
    PQclear(r);
    return GZ_OK;
}

static int pg_remember_rotate(struct store *st, const char *selector, const unsigned char *vd,
                              int64_t now, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, selector);
    p_blob(&p, vd, 32);
    p_i64(&p, now);
    return run_done(st, Q_REMEMBER_ROTATE, &p, NULL, err, "remember rotate");
}

static int pg_remember_delete(struct store *st, const char *selector, struct err *err)
{
    return text_op(st, Q_REMEMBER_DELETE, selector, "remember delete", err);
}

static int pg_remember_delete_user(struct store *st, int64_t user_id, struct err *err)
{
    return i64_op(st, Q_REMEMBER_DELETE_USER, user_id, "remember delete", err);
}

static int pg_reset_put(struct store *st, const unsigned char *digest, int64_t user_id,
                        int64_t expires, struct err *err)
{
    struct params p;

    p_init(&p);
    p_blob(&p, digest, 32);
    p_i64(&p, user_id);
    p_i64(&p, expires);
    return run_done(st, Q_RESET_INSERT, &p, NULL, err, "reset");
}

static int pg_reset_take(struct store *st, const unsigned char *digest, int64_t now,
                         int64_t *user_id, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *user_id = 0;
    p_init(&p);
    p_blob(&p, digest, 32);
    p_i64(&p, now);
    rc = run(st, Q_RESET_TAKE, &p, &r, err, "reset");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) == 1 ? GZ_OK : GZ_ENOTFOUND;
    if (rc == GZ_OK)
        *user_id = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_sms_put(struct store *st, const char *phone, const unsigned char *digest,
                      int64_t expires, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, phone);
    p_blob(&p, digest, 32);
    p_i64(&p, expires);
    return run_done(st, Q_SMS_PUT, &p, NULL, err, "sms code");
}

static int pg_sms_get(struct store *st, const char *phone, unsigned char *digest,
                      int64_t *expires, int64_t *attempts, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, phone);
    rc = run(st, Q_SMS_GET, &p, &r, err, "sms code");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    rc = col_blob(r, 0, 0, digest, 32) == 0 ? GZ_OK : err_set(err, GZ_EDB, "sms code: bad hash");
    *expires = col_i64(r, 0, 1);
    *attempts = col_i64(r, 0, 2);
    PQclear(r);
    return rc;
}


static int pg_sms_attempt(struct store *st, const char *phone, struct err *err)
{
    return text_op(st, Q_SMS_ATTEMPT, phone, "sms attempt", err);
}

static int pg_sms_delete(struct store *st, const char *phone, struct err *err)
{
    return text_op(st, Q_SMS_DELETE, phone, "sms delete", err);
}

static int pg_rate_add(struct store *st, const char *key, int64_t now, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, key);
    p_i64(&p, now);
    return run_done(st, Q_RATE_ADD, &p, NULL, err, "rate");
}

static int pg_rate_count(struct store *st, const char *key, int64_t since, int64_t *n,
                         int64_t *last, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, key);
    p_i64(&p, since);
    rc = run(st, Q_RATE_COUNT, &p, &r, err, "rate");
    if (rc != GZ_OK)
        return rc;
    *n = PQntuples(r) == 1 ? col_i64(r, 0, 0) : 0;
    *last = PQntuples(r) == 1 ? col_i64(r, 0, 1) : 0;
    PQclear(r);
    return GZ_OK;
}

static int pg_rate_clear(struct store *st, const char *key, struct err *err)
{
    return text_op(st, Q_RATE_CLEAR, key, "rate clear", err);
}

static int pg_rate_prune(struct store *st, int64_t before, struct err *err)
{
    return i64_op(st, Q_RATE_PRUNE, before, "rate prune", err);
}

static int pg_audit_add(struct store *st, int64_t user_id, int64_t now, const char *event,
                        const char *ip, const char *detail, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64_opt(&p, user_id);
    p_i64(&p, now);
    p_text(&p, event);
    p_text(&p, ip ? ip : "");
    p_text(&p, detail ? detail : "");
    return run_done(st, Q_AUDIT_ADD, &p, NULL, err, "audit");
}

static int pg_audit_list(struct store *st, int64_t user_id, int limit, struct audit_list *out,
                         struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    memset(out, 0, sizeof *out);
    p_init(&p);
    p_i64(&p, user_id);
    p_i64(&p, limit);
    rc = run(st, Q_AUDIT_LIST, &p, &r, err, "audit");
    if (rc != GZ_OK)
        return rc;
    out->n = (size_t)PQntuples(r);
    out->item = out->n ? xcalloc(out->n, sizeof *out->item) : NULL;
    for (int i = 0; i < (int)out->n; i++) {
        out->item[i].at = col_i64(r, i, 0);
        out->item[i].event = col_dup(r, i, 1);
        out->item[i].ip = col_dup(r, i, 2);
        out->item[i].detail = col_dup(r, i, 3);
    }
    PQclear(r);
    return GZ_OK;
}

static int pg_outbox_add(struct store *st, const char *kind, const char *rcpt,
                         const char *subject, const char *body, int64_t now, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, kind);
    p_text(&p, rcpt);
    p_text(&p, subject ? subject : "");
    p_text(&p, body);
    p_i64(&p, now);
    return run_done(st, Q_OUTBOX_ADD, &p, NULL, err, "outbox");
}

static int pg_outbox_list(struct store *st, int limit, struct outbox_list *out, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    memset(out, 0, sizeof *out);
    p_init(&p);
    p_i64(&p, limit);
    rc = run(st, Q_OUTBOX_LIST, &p, &r, err, "outbox");
    if (rc != GZ_OK)
        return rc;
    out->n = (size_t)PQntuples(r);
    out->item = out->n ? xcalloc(out->n, sizeof *out->item) : NULL;
    for (int i = 0; i < (int)out->n; i++) {
        struct outbox_row *o = &out->item[i];
        o->id = col_i64(r, i, 0);
        o->at = col_i64(r, i, 1);
        o->kind = col_dup(r, i, 2);
        o->rcpt = col_dup(r, i, 3);
        o->subject = col_dup(r, i, 4);
        o->body = col_dup(r, i, 5);
    }
    PQclear(r);
    return GZ_OK;
}

/* ---- newsroom ---- */

static int pg_newsroom_list(struct store *st, const char *section, const char *status,
                            int limit, struct brief_list *out, struct err *err)
{
    struct params p;

    p_init(&p);
    p_text(&p, section);
    p_text(&p, status);
    p_i64(&p, limit);
    return read_briefs(st, Q_NEWSROOM_LIST, &p, out, err);
}

static int pg_sections_all(struct store *st, struct section_list *out, struct err *err)
{
    return read_sections(st, Q_SECTIONS_ALL, out, err);
}

/* Run one statement and, when it changed rows, bump the content generation; one transaction. */
static int write_and_bump(struct store *st, enum q_id id, const struct params *p,
                          int64_t *changes, struct err *err)
{
    int owned, rc = tx_join(st, &owned, err);

    *changes = 0;
    if (rc == GZ_OK)
        rc = run_done(st, id, p, changes, err, "update");
    if (rc == GZ_OK && *changes > 0)
        rc = run_done(st, Q_GEN_BUMP, NULL, NULL, err, "generation");
    return tx_end(st, owned, rc, err);
}

static int pg_story_set_status(struct store *st, int64_t id, enum story_status status,
                               int64_t at, struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, id);
    p_text(&p, story_status_name(status));
    p_i64_opt(&p, at);
    p_i64(&p, (int64_t)time(NULL));
    rc = write_and_bump(st, Q_STORY_STATUS, &p, &changes, err);
    if (rc == GZ_OK && changes == 0)
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)id);
    return rc;
}

static int pg_publish_due(struct store *st, int64_t now, int *n, struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, now);
    rc = write_and_bump(st, Q_PUBLISH_DUE, &p, &changes, err);
    *n = (int)changes;
    return rc;
}

static int pg_job_add(struct store *st, int64_t story_id, const char *lang, const char *audio,
                      int64_t now, int64_t *id, struct err *err)
{
    struct params p;

    p_init(&p);
    p_i64(&p, story_id);
    p_text(&p, lang);
    p_text(&p, audio);
    p_i64(&p, now);
    return run_id(st, Q_JOB_ADD, &p, id, err, "job");
}

static int pg_job_claim(struct store *st, int64_t now, int64_t *id, int64_t *story_id,
                        char *lang, char *audio, size_t audio_cap, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_i64(&p, now);
    rc = run_done(st, Q_JOB_EXPIRE, &p, NULL, err, "job expiry");
    if (rc != GZ_OK)
        return rc;
    p_i64(&p, store_job_lease());
    p_text(&p, st->owner);
    rc = run(st, Q_JOB_CLAIM, &p, &r, err, "job claim");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    *id = col_i64(r, 0, 0);
    *story_id = col_i64(r, 0, 1);
    col_str(r, 0, 2, lang, 3);
    col_str(r, 0, 3, audio, audio_cap);
    PQclear(r);
    return GZ_OK;
}

static int pg_job_progress(struct store *st, int64_t id, double progress, int64_t now,
                           struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, id);
    p_dbl(&p, progress);
    p_i64(&p, now);
    p_i64(&p, store_job_lease());
    p_text(&p, st->owner);
    rc = run_done(st, Q_JOB_PROGRESS, &p, &changes, err, "job progress");
    if (rc == GZ_OK && changes == 0)
        rc = err_set(err, GZ_ECONFLICT, "job %lld is no longer ours (its lease ran out)",
                     (long long)id);
    return rc;
}

static int pg_job_finish(struct store *st, int64_t id, const char *state, const char *error,
                         int64_t flagged, double seconds, int64_t now, struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, id);
    p_text(&p, state);
    p_text(&p, error);
    p_i64(&p, flagged);
    p_dbl(&p, seconds);
    p_i64(&p, now);
    p_text(&p, st->owner);
    rc = run_done(st, Q_JOB_FINISH, &p, &changes, err, "job finish");
    if (rc == GZ_OK && changes == 0)
        rc = err_set(err, GZ_ECONFLICT, "job %lld is no longer ours (its lease ran out)",
                     (long long)id);
    return rc;
}

/* Other servers may be running the jobs marked running: those wait for their leases to run
 * out. Only a job whose owner was a process of this host that is gone (a crash, kill -9) is
 * let go at once. Should a host name be shared by mistake, nothing runs twice all the same:
 * the owner check in job_progress/job_finish stops the old run. */
static int pg_job_requeue(struct store *st, struct err *err)
{
    PGresult *r;
    int rc = run(st, Q_JOB_RUNNING, NULL, &r, err, "running jobs");

    if (rc != GZ_OK)
        return rc;
    for (int i = 0; rc == GZ_OK && i < PQntuples(r); i++) {
        const char *owner = PQgetvalue(r, i, 1);
        struct params p;

        if (!store_owner_gone(owner))
            continue;
        p_init(&p);
        p_i64(&p, col_i64(r, i, 0));
        p_text(&p, owner);
        rc = run_done(st, Q_JOB_RELEASE, &p, NULL, err, "job release");
        if (rc == GZ_OK)
            log_info("store", "job %s: its server (%s) is gone; queued again", PQgetvalue(r, i, 0),
                     owner);
    }
    PQclear(r);
    return rc;
}

static int pg_job_latest(struct store *st, int64_t story_id, const char *lang,
                         struct job_info *out, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    memset(out, 0, sizeof *out);
    p_init(&p);
    p_i64(&p, story_id);
    p_text(&p, lang);
    rc = run(st, Q_JOB_LATEST, &p, &r, err, "job");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return GZ_ENOTFOUND;
    }
    out->id = col_i64(r, 0, 0);
    col_str(r, 0, 1, out->state, sizeof out->state);
    out->progress = col_dbl(r, 0, 2);
    col_str(r, 0, 3, out->error, sizeof out->error);
    out->flagged = col_i64(r, 0, 4);
    out->seconds = col_dbl(r, 0, 5);
    col_str(r, 0, 6, out->audio, sizeof out->audio);
    PQclear(r);
    return GZ_OK;
}

static int pg_job_depth(struct store *st, int64_t *queued, struct err *err)
{
    return run_id(st, Q_JOB_DEPTH, NULL, queued, err, "job depth");
}

static int pg_job_backlog(struct store *st, int64_t now, struct job_backlog *out, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    memset(out, 0, sizeof *out);
    p_init(&p);
    p_i64(&p, now);
    rc = run(st, Q_JOB_BACKLOG, &p, &r, err, "job backlog");
    if (rc != GZ_OK)
        return rc;
    if (PQntuples(r) != 1) {
        rc = err_set(err, GZ_EDB, "job backlog: no row returned");
    } else {
        out->waiting = col_i64(r, 0, 0);
        out->oldest_s = col_i64(r, 0, 1);
        out->idle_s = col_i64(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

static int pg_user_list(struct store *st, int limit, struct user **out, size_t *n,
                        struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *out = NULL;
    *n = 0;
    p_init(&p);
    p_i64(&p, limit);
    rc = run(st, Q_USER_LIST, &p, &r, err, "users");
    if (rc != GZ_OK)
        return rc;
    *n = (size_t)PQntuples(r);
    *out = *n ? xcalloc(*n, sizeof **out) : NULL;
    for (int i = 0; i < (int)*n; i++) {
        struct user *u = &(*out)[i];
        u->id = col_i64(r, i, 0);
        u->email = col_dup(r, i, 1);
        u->username = col_dup(r, i, 2);
        u->phone = col_dup(r, i, 4);
        u->role = col_role(r, i, 5);
        u->created = col_i64(r, i, 8);
    }
    PQclear(r);
    return GZ_OK;
}

static int pg_media_names(struct store *st, int (*fn)(void *cls, const char *name), void *cls,
                          struct err *err)
{
    PGresult *r;
    int rc = run(st, Q_MEDIA_NAMES, NULL, &r, err, "media names"), stop = 0;

    if (rc != GZ_OK)
        return rc;
    for (int i = 0; !stop && i < PQntuples(r); i++) {
        const char *name = PQgetvalue(r, i, 0);
        if (!PQgetisnull(r, i, 0) && *name)
            stop = fn(cls, name);
    }
    PQclear(r);
    if (stop)
        return stop;
    /* Pictures: every size of each, WebP and JPEG, as "img/NAME-<w>x<h>.ext". */
    rc = run(st, Q_IMAGE_ALL, NULL, &r, err, "media names");
    if (rc != GZ_OK)
        return rc;
    for (int i = 0; !stop && i < PQntuples(r); i++)
        stop = story_image_files(PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), fn, cls);
    PQclear(r);
    return stop ? stop : GZ_OK;
}

static int pg_purge(struct store *st, int64_t now, int64_t *n, struct err *err)
{
    static const enum q_id q[] = {
        Q_PURGE_RATE,     Q_PURGE_AUDIT, Q_PURGE_OUTBOX, Q_PURGE_SESSION,
        Q_PURGE_REMEMBER, Q_PURGE_RESET, Q_PURGE_SMS,    Q_PURGE_ATTEMPT
    };
    struct params p;
    int owned, rc = tx_join(st, &owned, err);

    *n = 0;
    p_init(&p);
    p_i64(&p, now);
    for (size_t i = 0; rc == GZ_OK && i < GZ_NELEM(q); i++) {
        int64_t changes = 0;
        rc = run_done(st, q[i], &p, &changes, err, "purge");
        *n += changes;
    }
    return tx_end(st, owned, rc, err);
}

/* ---- pictures ---- */

static int pg_image_put(struct store *st, const char *name, int64_t story_id, const char *sizes,
                        const char *alt, const char *caption, int64_t now, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    p_init(&p);
    p_text(&p, name);
    p_i64(&p, story_id);
    p_text(&p, sizes);
    p_text(&p, alt ? alt : "");
    p_text(&p, caption ? caption : "");
    p_i64(&p, now);
    rc = run_guarded(st, Q_IMAGE_PUT, &p, &r, err, "picture");
    if (rc == GZ_OK) {
        PQclear(r);
        return GZ_OK;
    }
    if (strstr(err->msg, "foreign key")) /* the story is gone */
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)story_id);
    return rc;
}

static int pg_image_published(struct store *st, const char *name, int *published,
                              struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *published = 0;
    p_init(&p);
    p_text(&p, name);
    rc = run(st, Q_IMAGE_PUBLISHED, &p, &r, err, "picture");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) != 1 || PQgetisnull(r, 0, 0) ? GZ_ENOTFOUND : GZ_OK;
    if (rc == GZ_OK)
        *published = col_i64(r, 0, 0) == 1;
    PQclear(r);
    return rc;
}

static int pg_story_set_lead(struct store *st, int64_t story_id, const char *name,
                             struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    p_init(&p);
    p_i64(&p, story_id);
    p_text(&p, name);
    rc = write_and_bump(st, Q_STORY_SET_LEAD, &p, &changes, err);
    if (rc == GZ_OK && changes == 0)
        return err_set(err, GZ_ENOTFOUND, "no story %lld", (long long)story_id);
    return rc;
}

/* ---- listening positions ---- */

static void position_key(struct params *p, int64_t user_id, int64_t story_id, const char *lang)
{
    p_init(p);
    p_i64(p, user_id);
    p_i64(p, story_id);
    p_text(p, lang);
}

static int pg_position_put(struct store *st, int64_t user_id, int64_t story_id, const char *lang,
                           int64_t t_ms, int64_t now, struct err *err)
{
    struct params p;
    int64_t changes = 0;
    int rc;

    position_key(&p, user_id, story_id, lang);
    p_i64(&p, t_ms);
    p_i64(&p, now);
    rc = run_done(st, Q_POSITION_PUT, &p, &changes, err, "position");
    if (rc == GZ_OK && changes == 0)
        return err_set(err, GZ_ENOTFOUND, "no narrated story %lld in '%s'", (long long)story_id,
                       lang);
    return rc;
}

static int pg_position_get(struct store *st, int64_t user_id, int64_t story_id, const char *lang,
                           int64_t *t_ms, struct err *err)
{
    struct params p;
    PGresult *r;
    int rc;

    *t_ms = 0;
    position_key(&p, user_id, story_id, lang);
    rc = run(st, Q_POSITION_GET, &p, &r, err, "position");
    if (rc != GZ_OK)
        return rc;
    rc = PQntuples(r) == 1 ? GZ_OK : GZ_ENOTFOUND;
    if (rc == GZ_OK)
        *t_ms = col_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_position_delete(struct store *st, int64_t user_id, int64_t story_id,
                              const char *lang, struct err *err)
{
    struct params p;

    position_key(&p, user_id, story_id, lang);
    return run_done(st, Q_POSITION_DELETE, &p, NULL, err, "position delete");
}

static void pg_close(struct store *st)
{
    struct store_pg *p = pg(st);

    if (p->conn)
        PQfinish(p->conn);
    free(p);
}

static const struct store_ops pg_ops = {
    .tx_begin = pg_tx_begin,
    .tx_commit = pg_tx_commit,
    .tx_rollback = pg_tx_rollback,
    .generation = pg_generation,
    .sections = pg_sections,
    .latest = pg_latest,
    .related = pg_related,
    .story_get = pg_story_get,
    .story_put = pg_story_put,
    .story_count = pg_story_count,
    .search = pg_search,
    .quiz_put = pg_quiz_put,
    .quiz_get = pg_quiz_get,
    .attempt_get = pg_attempt_get,
    .attempt_put = pg_attempt_put,
    .story_by_slug = pg_story_by_slug,
    .media_published = pg_media_published,
    .quiz_latest = pg_quiz_latest,
    .setting_get = pg_setting_get,
    .setting_put = pg_setting_put,
    .user_create = pg_user_create,
    .user_get = pg_user_get,
    .user_by_login = pg_user_by_login,
    .user_by_phone = pg_user_by_phone,
    .user_update = pg_user_update,
    .user_set_prefs = pg_user_set_prefs,
    .user_set_role = pg_user_set_role,
    .user_delete = pg_user_delete,
    .session_put = pg_session_put,
    .session_find = pg_session_find,
    .session_touch = pg_session_touch,
    .session_delete = pg_session_delete,
    .session_delete_id = pg_session_delete_id,
    .session_delete_user = pg_session_delete_user,
    .session_delete_series = pg_session_delete_series,
    .session_list = pg_session_list,
    .remember_put = pg_remember_put,
    .remember_get = pg_remember_get,
    .remember_rotate = pg_remember_rotate,
    .remember_delete = pg_remember_delete,
    .remember_delete_user = pg_remember_delete_user,
    .reset_put = pg_reset_put,
    .reset_take = pg_reset_take,
    .sms_put = pg_sms_put,
    .sms_get = pg_sms_get,
    .sms_attempt = pg_sms_attempt,
    .sms_delete = pg_sms_delete,
    .rate_add = pg_rate_add,
    .rate_count = pg_rate_count,
    .rate_clear = pg_rate_clear,
    .rate_prune = pg_rate_prune,
    .audit_add = pg_audit_add,
    .audit_list = pg_audit_list,
    .outbox_add = pg_outbox_add,
    .outbox_list = pg_outbox_list,
    .newsroom_list = pg_newsroom_list,
    .sections_all = pg_sections_all,
    .story_set_status = pg_story_set_status,
    .publish_due = pg_publish_due,
    .job_add = pg_job_add,
    .job_claim = pg_job_claim,
    .job_progress = pg_job_progress,
    .job_finish = pg_job_finish,
    .job_requeue = pg_job_requeue,
    .job_latest = pg_job_latest,
    .job_depth = pg_job_depth,
    .job_backlog = pg_job_backlog,
    .user_list = pg_user_list,
    .media_names = pg_media_names,
    .purge = pg_purge,
    .close = pg_close,
    .image_put = pg_image_put,
    .image_published = pg_image_published,
    .story_set_lead = pg_story_set_lead,
    .position_put = pg_position_put,
    .position_get = pg_position_get,
    .position_delete = pg_position_delete,
};

static PGconn *connect_quiet(const char *url)
{
    const char *keys[] = { "dbname", "options", NULL };
    const char *vals[] = { url, "-c client_min_messages=warning", NULL };

    return PQconnectdbParams(keys, vals, 1); /* expand_dbname: url's own settings apply */
}

int store_open_pg(const char *url, struct store **out, struct err *err)
{
    struct store_pg *p = xcalloc(1, sizeof *p);
    char shown[512];
    int rc;

    *out = NULL;
    p->base.ops = &pg_ops;
    p->gen_ms = -1;
    store_owner_init(&p->base);
    store_where_for_humans(url, shown, sizeof shown);
    /* Notices ("relation already exists, skipping") are not for the log: a connection
     * option, so that a re-opened connection keeps it. */
    p->conn = connect_quiet(url);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        const char *m = p->conn ? PQerrorMessage(p->conn) : "out of memory";
        size_t n = strlen(m);
        while (n && m[n - 1] == '\n')
            n--;
        rc = err_set(err, GZ_EDB, "cannot connect to '%s': %.*s", shown, (int)n, m);
        goto fail;
    }
    rc = migrate(p->conn, err); /* before lock_timeout: migrations wait for each other */
    if (rc == GZ_OK)
        rc = session_init(p->conn, err);
    if (rc != GZ_OK) {
        struct err why = *err; /* name the database; err_set must not format err->msg into itself */
        rc = err_set(err, rc, "database '%s': %s", shown, why.msg);
        goto fail;
    }
    *out = &p->base;
    return GZ_OK;
fail:
    pg_close(&p->base);
    return rc;
}
