/*
 * main.c: the gazette command. Parses arguments, wires the modules together; the only file
 * that knows every module.
 *   gazette serve [--listen HOST:PORT] [--data DIR] [--no-demo] [--base-url URL] [--threads N]
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
#include "core/dirlock.h"
#include "core/embed.h"
#include "core/log.h"
#include "http/cache.h"
#include "http/http.h"
#include "model/quiz.h"
#include "service/import.h"
#include "store/store.h"

static const char usage[] =
        "usage: gazette <command> [options]\n"
        "\n"
        "  serve  [--listen HOST:PORT] [--data DIR] [--no-demo] [--base-url URL]\n"
        "         [--threads N] [--trust-proxy] [--dev]\n"
        "         serve the site (default 127.0.0.1:8080, data in ./var); a new, empty\n"
        "         data folder is seeded with the demo stories unless --no-demo;\n"
        "         --dev shows the mail/SMS outbox at /dev/outbox\n"
        "  import [--data DIR] [--check] FILE...\n"
        "         load article bundles (docs/BUNDLE.md); --check validates only\n"
        "  align  AUDIO TEXT [-o OUT] [-f FORMAT] [--lang en|zh|auto] [--lines] [--words]\n"
        "         time narration to its text (see gazette align --help)\n"
        "  user   add [--data DIR] [--role reader|editor|admin] [--password-stdin] EMAIL\n"
        "         role [--data DIR] EMAIL ROLE\n"
        "         create an account or change its role\n"
        "  backup [--data DIR] DEST\n"
        "         a verified copy of a live site: database snapshot, media, MANIFEST\n"
        "  restore [--data DIR] SRC\n"
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

static int paths_init(struct paths *p, const char *data, struct err *err)
{
    struct buf b;
    int rc;

    p->data = xstrdup(data);
    buf_init(&b, 0);
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

static int cmd_serve(int argc, char **argv)
{
    const char *listen = "127.0.0.1:8080", *data = "var";
    struct app app;
    struct paths p = { 0 };
    struct store *st = NULL;
    struct err err = { 0 };
    int demo = 1, rc, lock = -1;
    int64_t count = 0;

    memset(&app, 0, sizeof app);
    app.site_name = xstrdup("Gazette");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc)
            listen = argv[++i];
        else if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--no-demo") == 0)
            demo = 0;
        else if (strcmp(argv[i], "--base-url") == 0 && i + 1 < argc)
            app.base_url = xstrdup(argv[++i]);
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            app.threads = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--trust-proxy") == 0)
            app.trust_proxy = 1;
        else if (strcmp(argv[i], "--dev") == 0)
            app.dev = 1;
        else {
            fprintf(stderr, "gazette serve: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        }
    }
    if (app.base_url) {
        size_t n = strlen(app.base_url);
        while (n && app.base_url[n - 1] == '/')
            app.base_url[--n] = '\0';
    }
    rc = paths_init(&p, data, &err);
    if (rc == GZ_OK) {
        /* One server per data folder: a second one would run the first one's jobs again. */
        lock = dirlock_take(p.data, "serve", &err);
        rc = lock >= 0 ? GZ_OK : lock;
    }
    if (rc == GZ_OK)
        rc = datadir_check_db(p.data, p.db, &err);
    if (rc == GZ_OK) {
        datadir_clean(p.media);
        rc = store_open_sqlite(p.db, &st, &err);
    }
    if (rc == GZ_OK)
        rc = st->ops->story_count(st, &count, &err);
    if (rc == GZ_OK && demo && count == 0)
        rc = seed_demo(st, p.media, &err);
    store_close(st);
    if (rc != GZ_OK) {
        fprintf(stderr, "gazette serve: %s\n", err.msg);
        goto out;
    }
    app.data_dir = p.data;
    app.db_path = p.db;
    app.media_dir = p.media;
    app.cache = cache_new(4096);
    pthread_mutex_init(&app.stores_lock, NULL);
    files_asset_version(app.asset_ver);
    rc = server_run(&app, listen, &err);
    if (rc != GZ_OK)
        fprintf(stderr, "gazette serve: %s\n", err.msg);
    cache_free(app.cache);
    pthread_mutex_destroy(&app.stores_lock);
out:
    dirlock_release(lock);
    paths_release(&p);
    free(app.site_name);
    free(app.base_url);
    return rc == GZ_OK ? 0 : 1;
}

static int cmd_import(int argc, char **argv)
{
    const char *data = "var";
    struct paths p = { 0 };
    struct store *st = NULL;
    struct err err = { 0 };
    int check = 0, failed = 0, files = 0, rc, use = -1;

    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
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
    rc = paths_init(&p, data, &err);
    if (rc == GZ_OK && !check) {
        /* Beside a server is fine (SQLite); during a restore it is not. */
        use = dirlock_use(p.data, 0, &err);
        rc = use >= 0 ? GZ_OK : use;
    }
    if (rc == GZ_OK)
        rc = store_open_sqlite(p.db, &st, &err);
    if (rc != GZ_OK) {
        fprintf(stderr, "gazette import: %s\n", err.msg);
        dirlock_release(use);
        paths_release(&p);
        return 1;
    }
    for (int i = 0; i < argc; i++) {
        struct buf text;
        char *dir, *slash;
        if (strcmp(argv[i], "--data") == 0) {
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
