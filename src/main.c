/*
 * main.c: the gazette command. Parses arguments, wires the modules together; the only file
 * that knows every module.
 *   gazette serve [--config FILE] [--listen HOST:PORT] [--data DIR] ... (see usage)
 *   gazette import [--data DIR] FILE...
 *   gazette backup [--data DIR] DEST | gazette restore [--data DIR] SRC
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <sodium.h>

#include "cli/cli.h"
#include "cli/datadir.h"
#include "core/buf.h"
#include "core/config.h"
#include "core/dirlock.h"
#include "core/embed.h"
#include "core/log.h"
#include "http/accesslog.h"
#include "http/cache.h"
#include "http/http.h"
#include "model/quiz.h"
#include "notify/notify.h"
#include "service/import.h"
#include "store/store.h"

static const char usage[] =
        "usage: gazette <command> [options]\n"
        "\n"
        "  serve  [--config FILE] [--listen HOST:PORT] [--data DIR] [--db URL] [--no-demo]\n"
        "         [--base-url URL] [--threads N] [--trust-proxy] [--dev]\n"
        "         [--access-log FILE|-|off] [--log-format text|json]\n"
        "         [--log-level debug|info|warn|error] [--metrics-listen HOST:PORT]\n"
        "         [--min-free-mb N] [--podcast-email ADDRESS]\n"
        "         serve the site (default 127.0.0.1:8080, data in ./var); a new, empty\n"
        "         data folder is seeded with the demo stories unless --no-demo;\n"
        "         --dev shows the mail/SMS outbox at /dev/outbox; settings in FILE are\n"
        "         'name = value' lines named as the flags (flags win; docs/CONFIG.md);\n"
        "         --db postgresql://user@host/db (or GAZETTE_DB) keeps everything but\n"
        "         media in PostgreSQL, shared by any number of servers (docs/DEPLOY.md)\n"
        "  migrate [--db URL | --data DIR]\n"
        "         bring the database schema up to date (serve does it too) and say so\n"
        "  import [--data DIR] [--db URL] [--check] FILE...\n"
        "         load article bundles (docs/BUNDLE.md); --check validates only\n"
        "  align  AUDIO TEXT [-o OUT] [-f FORMAT] [--lang en|zh|auto] [--lines] [--words]\n"
        "         time narration to its text (see gazette align --help)\n"
        "  user   add [--data DIR] [--db URL] [--role reader|editor|admin] [--password-stdin]\n"
        "             EMAIL\n"
        "         role [--data DIR] [--db URL] EMAIL ROLE\n"
        "         create an account or change its role\n"
        "  backup [--data DIR] [--db URL] DEST\n"
        "         a verified copy of a live site: database snapshot, media, MANIFEST\n"
        "         (PostgreSQL: prints the pg_dump and media steps)\n"
        "  restore [--data DIR] [--db URL] SRC\n"
        "         check a backup, then put it in place (refused while a server runs)\n"
        "  help   this text\n";

struct paths {
    char *data, *db, *media;
};

static int make_dir(const char *p, struct err *err)
{
    if (mkdir(p, 0755) != 0 && errno != EEXIST)
        return err_set(err, GZ_EIO, "cannot create folder '%s': %s", p, strerror(errno));
    return GZ_OK;
}

/* The database: db when given (a PostgreSQL URL or a SQLite file), else $GAZETTE_DB, else
 * DIR/gazette.db. Media always live in DIR/media. */
static int paths_init(struct paths *p, const char *data, const char *db, struct err *err)
{
    struct buf b;
    int rc;

    p->data = xstrdup(data);
    buf_init(&b, 0);
    if (!db || !*db)
        db = getenv("GAZETTE_DB");
    if (db && *db)
        buf_puts(&b, db);
    else
        buf_printf(&b, "%s/gazette.db", data);
    p->db = buf_take(&b, NULL);
    buf_printf(&b, "%s/media", data);
    p->media = buf_take(&b, NULL);
    rc = make_dir(p->data, err);
    if (rc == GZ_OK)
        rc = make_dir(p->media, err);
    return rc;
}

static void paths_release(struct paths *p)
{
    free(p->data);
    free(p->db);
    free(p->media);
}

/* A quiz bundle: validated, then stored (replacing the quiz with the same slug). */
static int import_quiz(struct store *st, const char *name, const char *json, size_t len,
                       int check)
{
    struct quiz q;
    struct buf problems, body;
    struct err err = { 0 };
    int64_t id = 0;
    int rc;

    buf_init(&problems, 0);
    buf_init(&body, 0);
    rc = quiz_parse(json, len, &q, &problems);
    if (rc == GZ_OK && (!q.slug || !q.published || !q.title[LANG_ZH])) {
        buf_puts(&problems, "slug, published, title: required for a quiz bundle\n");
        quiz_release(&q);
        rc = GZ_EINVAL;
    }
    if (rc != GZ_OK) {
        fprintf(stderr, "%s: %s", name, buf_cstr(&problems));
        goto out;
    }
    if (check) {
        printf("%s: ok\n", name);
    } else {
        quiz_body_json(&body, &q);
        rc = st->ops->quiz_put(st, q.slug, q.title[LANG_ZH], q.title[LANG_EN], q.published,
                               buf_cstr(&body), &id, &err);
        if (rc != GZ_OK)
            fprintf(stderr, "%s: cannot store: %s\n", name, err.msg);
        else
            printf("%s: imported as quiz %lld (/quiz/%lld)\n", name, (long long)id, (long long)id);
    }
    quiz_release(&q);
out:
    buf_release(&problems);
    buf_release(&body);
    return rc;
}

/* Load one bundle text and store it. Problems go to stderr prefixed with name. */
static int import_one(struct store *st, const char *name, const char *json, size_t len,
                      const char *base_dir, const char *media, int check)
{
    struct buf problems;
    struct err err = { 0 };
    int64_t id = 0;
    int rc;

    {
        json_t *root = json_loadb(json, len, 0, NULL);
        int is_quiz = json_object_get(root, "gazette_quiz") != NULL;
        json_decref(root);
        if (is_quiz)
            return import_quiz(st, name, json, len, check);
    }
    buf_init(&problems, 0);
    rc = imp_story(st, json, len, base_dir, media, check, &id, &problems, &err);
    if (rc != GZ_OK && problems.len) {
        for (const char *line = buf_cstr(&problems); *line;) {
            const char *nl = strchr(line, '\n');
            size_t n = nl ? (size_t)(nl - line) : strlen(line);
            fprintf(stderr, "%s: %.*s\n", name, (int)n, line);
            line += n + (nl != NULL);
        }
        goto out;
    }
    if (rc != GZ_OK)
        fprintf(stderr, "%s: cannot store: %s\n", name, err.msg);
    else if (check)
        printf("%s: ok\n", name);
    else
        printf("%s: imported as story %lld (/story/%lld)\n", name, (long long)id,
               (long long)id);
out:
    buf_release(&problems);
    return rc;
}

static int seed_demo(struct store *st, const char *media, struct err *err)
{
    struct buf seeded;
    int rc;

    buf_init(&seeded, 0);
    rc = st->ops->setting_get(st, "demo_seeded", &seeded, err);
    buf_release(&seeded);
    if (rc == GZ_OK)
        return GZ_OK;
    if (rc != GZ_ENOTFOUND)
        return rc;
    log_info("demo", "seeding %zu demo stories (narration by espeak-ng)", embed_demo_n);
    for (size_t i = 0; i < embed_demo_n; i++) {
        rc = import_one(st, embed_demo[i].name, (const char *)embed_demo[i].data,
                        embed_demo[i].len, NULL, media, 0);
        if (rc != GZ_OK)
            return err_set(err, rc, "demo bundle '%s' failed", embed_demo[i].name);
    }
    return st->ops->setting_put(st, "demo_seeded", "1", err);
}

/* Settings of `gazette serve`: from --config FILE first, then the flags (which win). */
struct serve_cfg {
    char *listen, *data, *db, *base_url, *access_log, *metrics_listen, *podcast_email;
    int demo, threads, trust_proxy, dev, log_json;
    enum log_level level;
    long min_free_mb;
};

/* Names that take no value on the command line (in the file: true/false). */
static const char *const serve_bools[] = { "no-demo", "trust-proxy", "dev" };

static int is_serve_bool(const char *name)
{
    for (size_t i = 0; i < GZ_NELEM(serve_bools); i++)
        if (strcmp(name, serve_bools[i]) == 0)
            return 1;
    return 0;
}

static int parse_long(const char *v, long lo, long hi, long *out)
{
    char *end;
    long n;

    errno = 0;
    n = strtol(v, &end, 10);
    if (!*v || *end || errno || n < lo || n > hi)
        return GZ_EINVAL;
    *out = n;
    return GZ_OK;
}

static void set_str(char **field, const char *v)
{
    free(*field);
    *field = xstrdup(v);
}

static int serve_set(void *ctx, const char *name, const char *v, struct err *err)
{
    struct serve_cfg *c = ctx;
    long n;

    if (is_serve_bool(name)) {
        int b = config_bool(v);
        if (b < 0)
            return err_set(err, GZ_EINVAL, "%s: want true or false, not '%s'", name, v);
        if (strcmp(name, "no-demo") == 0)
            c->demo = !b;
        else if (strcmp(name, "trust-proxy") == 0)
            c->trust_proxy = b;
        else
            c->dev = b;
        return GZ_OK;
    }
    if (strcmp(name, "listen") == 0 || strcmp(name, "metrics-listen") == 0) {
        const char *colon = strrchr(v, ':');
        if (!colon || parse_long(colon + 1, 0, 65535, &n) != GZ_OK)
            return err_set(err, GZ_EINVAL, "%s: want HOST:PORT, not '%s'", name, v);
        set_str(name[0] == 'l' ? &c->listen : &c->metrics_listen, v);
    } else if (strcmp(name, "data") == 0) {
        if (!*v)
            return err_set(err, GZ_EINVAL, "data: want a folder");
        set_str(&c->data, v);
    } else if (strcmp(name, "db") == 0) {
        if (!*v)
            return err_set(err, GZ_EINVAL, "db: want postgresql://... or a SQLite file");
        set_str(&c->db, v);
    } else if (strcmp(name, "base-url") == 0) {
        if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
            return err_set(err, GZ_EINVAL, "base-url: want http://... or https://..., not '%s'",
                           v);
        set_str(&c->base_url, v);
    } else if (strcmp(name, "threads") == 0) {
        if (parse_long(v, 0, 256, &n) != GZ_OK)
            return err_set(err, GZ_EINVAL, "threads: want 0 (one per core) to 256, not '%s'", v);
        c->threads = (int)n;
    } else if (strcmp(name, "access-log") == 0) {
        set_str(&c->access_log, v);
    } else if (strcmp(name, "log-format") == 0) {
        if (strcmp(v, "text") != 0 && strcmp(v, "json") != 0)
            return err_set(err, GZ_EINVAL, "log-format: want text or json, not '%s'", v);
        c->log_json = strcmp(v, "json") == 0;
    } else if (strcmp(name, "log-level") == 0) {
        if (log_level_parse(v, &c->level) != GZ_OK)
            return err_set(err, GZ_EINVAL, "log-level: want debug, info, warn or error, not '%s'",
                           v);
    } else if (strcmp(name, "podcast-email") == 0) {
        if (!strchr(v, '@') || strcspn(v, "<>\"' \t") != strlen(v))
            return err_set(err, GZ_EINVAL, "podcast-email: want an e-mail address, not '%s'", v);
        set_str(&c->podcast_email, v);
    } else if (strcmp(name, "min-free-mb") == 0) {
        if (parse_long(v, 0, 1L << 30, &n) != GZ_OK)
            return err_set(err, GZ_EINVAL, "min-free-mb: want a number of megabytes, not '%s'",
                           v);
        c->min_free_mb = n;
    } else {
        return err_set(err, GZ_EINVAL, "unknown setting '%s'", name);
    }
    return GZ_OK;
}

static void serve_cfg_release(struct serve_cfg *c)
{
    free(c->listen);
    free(c->data);
    free(c->db);
    free(c->base_url);
    free(c->access_log);
    free(c->metrics_listen);
    free(c->podcast_email);
}

/* Defaults, then --config FILE, then every other flag in order. 0 ok, 2 usage error. */
static int serve_args(int argc, char **argv, struct serve_cfg *c)
{
    struct err err = { 0 };

    memset(c, 0, sizeof *c);
    c->listen = xstrdup("127.0.0.1:8080");
    c->data = xstrdup("var");
    c->access_log = xstrdup("-");
    c->demo = 1;
    c->level = LOG_INFO;
    c->min_free_mb = 100;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--config") != 0)
            continue;
        if (i + 1 >= argc) {
            fprintf(stderr, "gazette serve: --config needs a file\n");
            return 2;
        }
        if (config_load(argv[i + 1], serve_set, c, &err) != GZ_OK) {
            fprintf(stderr, "gazette serve: %s\n", err.msg);
            return 2;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *name = argv[i] + 2;
        if (strncmp(argv[i], "--", 2) != 0) {
            fprintf(stderr, "gazette serve: unexpected argument '%s'\n%s", argv[i], usage);
            return 2;
        }
        if (strcmp(name, "config") == 0) {
            i++;
            continue;
        }
        if (is_serve_bool(name)) {
            serve_set(c, name, "true", &err);
            continue;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "gazette serve: option '%s' needs a value\n%s", argv[i], usage);
            return 2;
        }
        if (serve_set(c, name, argv[i + 1], &err) != GZ_OK) {
            if (strncmp(err.msg, "unknown setting", 15) == 0)
                fprintf(stderr, "gazette serve: unknown option '%s'\n%s", argv[i], usage);
            else
                fprintf(stderr, "gazette serve: --%s\n", err.msg);
            return 2;
        }
        i++;
    }
    return 0;
}

/* Mail and SMS that only go to the outbox reach nobody: say so where an operator looks,
 * whatever --log-level hides. notify_check_env() has refused any other driver name. */
static void warn_outbox(void)
{
    const char *mail = getenv("GAZETTE_MAIL"), *sms = getenv("GAZETTE_SMS");
    if (!mail || !*mail || strcmp(mail, "outbox") == 0)
        log_always(LOG_WARN, "notify",
                   "*** MAIL IS NOT DELIVERED: GAZETTE_MAIL=outbox keeps messages in the "
                   "database (shown at /dev/outbox with --dev); set GAZETTE_MAIL=smtp "
                   "and GAZETTE_SMTP_URL to send ***");
    if (!sms || !*sms || strcmp(sms, "outbox") == 0)
        log_always(LOG_WARN, "notify",
                   "*** SMS IS NOT DELIVERED: GAZETTE_SMS=outbox keeps codes in the "
                   "database (shown at /dev/outbox with --dev); set GAZETTE_SMS=http "
                   "and GAZETTE_SMS_URL to send ***");
}

static int cmd_serve(int argc, char **argv)
{
    struct serve_cfg cfg;
    struct app app;
    struct paths p = { 0 };
    struct store *st = NULL;
    struct err err = { 0 };
    int rc, lock = -1, shared = 0;
    int64_t count = 0;

    memset(&app, 0, sizeof app);
    rc = serve_args(argc, argv, &cfg);
    if (rc == 0 && notify_check_env(&err) != GZ_OK) {
        fprintf(stderr, "gazette serve: %s\n", err.msg);
        rc = 2;
    }
    if (rc != 0) {
        serve_cfg_release(&cfg);
        return rc;
    }
    log_set_level(cfg.level);
    log_set_json(cfg.log_json);
    app.site_name = xstrdup("Gazette");
    app.base_url = cfg.base_url ? xstrdup(cfg.base_url) : NULL;
    app.threads = cfg.threads;
    app.trust_proxy = cfg.trust_proxy;
    app.dev = cfg.dev;
    app.metrics_listen = cfg.metrics_listen;
    app.min_free_mb = cfg.min_free_mb;
    app.podcast_email = cfg.podcast_email;
    app.access_log = strcmp(cfg.access_log, "off") != 0;
    if (app.base_url) {
        size_t n = strlen(app.base_url);
        while (n && app.base_url[n - 1] == '/')
            app.base_url[--n] = '\0';
    }
    rc = app.access_log ? accesslog_open(cfg.access_log, cfg.log_json, &err) : GZ_OK;
    if (rc == GZ_OK)
        rc = paths_init(&p, cfg.data, cfg.db, &err);
    shared = rc == GZ_OK && store_is_pg(p.db);
    if (rc == GZ_OK && shared) {
        /* Several servers share the media folder (and the database's job leases keep them
         * from running one job twice): only a restore is kept out. */
        lock = dirlock_use(p.data, 0, &err);
        rc = lock >= 0 ? GZ_OK : lock;
    } else if (rc == GZ_OK) {
        /* One server per data folder: a second one would run the first one's jobs again. */
        lock = dirlock_take(p.data, "serve", &err);
        rc = lock >= 0 ? GZ_OK : lock;
    }
    if (rc == GZ_OK && !shared)
        rc = datadir_check_db(p.data, p.db, &err);
    if (rc == GZ_OK) {
        /* Temporary files of a crash: not on a shared folder, where they may be another
         * server's uploads in progress (docs/DEPLOY.md says how to clean those). */
        if (!shared)
            datadir_clean(p.media);
        rc = store_open(p.db, &st, &err);
    }
    if (rc == GZ_OK)
        rc = st->ops->story_count(st, &count, &err);
    if (rc == GZ_OK && cfg.demo && count == 0)
        rc = seed_demo(st, p.media, &err);
    store_close(st);
    if (rc != GZ_OK) {
        fprintf(stderr, "gazette serve: %s\n", err.msg);
        goto out;
    }
    warn_outbox();
    app.data_dir = p.data;
    app.db_path = p.db;
    app.media_dir = p.media;
    app.cache = cache_new(4096);
    pthread_mutex_init(&app.stores_lock, NULL);
    files_asset_version(app.asset_ver);
    rc = server_run(&app, cfg.listen, &err);
    if (rc != GZ_OK)
        fprintf(stderr, "gazette serve: %s\n", err.msg);
    cache_free(app.cache);
    pthread_mutex_destroy(&app.stores_lock);
out:
    dirlock_release(lock);
    accesslog_close();
    paths_release(&p);
    free(app.site_name);
    free(app.base_url);
    serve_cfg_release(&cfg);
    return rc == GZ_OK ? 0 : 1;
}

static int cmd_import(int argc, char **argv)
{
    const char *data = "var", *db = NULL;
    struct paths p = { 0 };
    struct store *st = NULL;
    struct err err = { 0 };
    int check = 0, failed = 0, files = 0, rc, use = -1;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            db = argv[++i];
        else if (strcmp(argv[i], "--check") == 0)
            check = 1;
        else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "gazette import: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        } else
            files++;
    }
    if (!files) {
        fprintf(stderr, "gazette import: no bundle given\n%s", usage);
        return 2;
    }
    rc = paths_init(&p, data, db, &err);
    if (rc == GZ_OK && !check) {
        /* Beside a server is fine (SQLite); during a restore it is not. */
        use = dirlock_use(p.data, 0, &err);
        rc = use >= 0 ? GZ_OK : use;
    }
    if (rc == GZ_OK)
        rc = store_open(p.db, &st, &err);
    if (rc != GZ_OK) {
        fprintf(stderr, "gazette import: %s\n", err.msg);
        dirlock_release(use);
        paths_release(&p);
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        struct buf text;
        char *dir, *slash;
        if (strcmp(argv[i], "--data") == 0 || strcmp(argv[i], "--db") == 0) {
            i++;
            continue;
        }
        if (strcmp(argv[i], "--check") == 0)
            continue;
        buf_init(&text, 16 << 20);
        dir = xstrdup(argv[i]);
        slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        else
            dir[0] = '.', dir[1] = '\0'; /* fits: dir holds at least the file name */
        if (buf_read_file(&text, argv[i], &err) != GZ_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], err.msg);
            failed++;
        } else if (import_one(st, argv[i], buf_cstr(&text), text.len, dir, p.media, check) !=
                   GZ_OK) {
            failed++;
        }
        free(dir);
        buf_release(&text);
    }
    store_close(st);
    dirlock_release(use);
    paths_release(&p);
    return failed ? 2 : 0;
}

/* gazette migrate: open the database, which applies every migration it lacks (under a lock on
 * PostgreSQL, so servers starting meanwhile wait), and report. */
static int cmd_migrate(int argc, char **argv)
{
    const char *data = "var", *db = NULL;
    struct paths p = { 0 };
    struct store *st = NULL;
    struct err err = { 0 };
    int rc;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc) {
            data = argv[++i];
        } else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            db = argv[++i];
        } else {
            fprintf(stderr, "gazette migrate: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    rc = paths_init(&p, data, db, &err);
    if (rc == GZ_OK)
        rc = store_open(p.db, &st, &err);
    if (rc == GZ_OK)
        printf("gazette migrate: schema up to date (%zu migrations, %s)\n",
               store_is_pg(p.db) ? embed_sql_pg_n : embed_sql_sqlite_n,
               store_is_pg(p.db) ? "PostgreSQL" : "SQLite");
    else
        fprintf(stderr, "gazette migrate: %s\n", err.msg);
    store_close(st);
    paths_release(&p);
    return rc == GZ_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "gazette: libsodium failed to initialise\n");
        return 1;
    }
    /* Once, before any thread exists: curl_easy_init would otherwise do it lazily, racily. */
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        fprintf(stderr, "gazette: libcurl failed to initialise\n");
        return 1;
    }
    if (argc < 2 || strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0) {
        fputs(usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "serve") == 0)
        return cmd_serve(argc - 2, argv + 2);
    if (strcmp(argv[1], "import") == 0)
        return cmd_import(argc - 2, argv + 2);
    if (strcmp(argv[1], "migrate") == 0)
        return cmd_migrate(argc - 2, argv + 2);
    if (strcmp(argv[1], "align") == 0)
        return cmd_align(argc - 2, argv + 2);
    if (strcmp(argv[1], "user") == 0)
        return cmd_user(argc - 2, argv + 2);
    if (strcmp(argv[1], "backup") == 0)
        return cmd_backup(argc - 2, argv + 2);
    if (strcmp(argv[1], "restore") == 0)
        return cmd_restore(argc - 2, argv + 2);
    fprintf(stderr, "gazette: unknown command '%s'\n%s", argv[1], usage);
    return 2;
}
