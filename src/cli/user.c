/*
 * gazette user add [--data DIR] [--role reader|editor|admin] [--username NAME]
 *                  [--password-stdin] EMAIL
 *   Create the account (password from standard input, or a random one printed once), or,
 *   when it exists, set its role.
 * gazette user role [--data DIR] EMAIL ROLE
 */
#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "store/store.h"

static const char usage[] =
        "usage: gazette user add [--data DIR] [--db URL] [--role reader|editor|admin] [--username NAME]\n"
        "                        [--password-stdin] EMAIL\n"
        "       gazette user role [--data DIR] [--db URL] EMAIL ROLE\n";

/* The account with its role, in one transaction: both or nothing. */
static int create(struct store *st, const char *email, const char *username, const char *pw,
                  enum user_role role, int64_t *id, struct err *err)
{
    char hash[AUTH_HASH_MAX];
    int rc;

    if (auth_password_hash(pw, hash) != GZ_OK)
        return err_set(err, GZ_EIO, "cannot hash the password");
    rc = st->ops->tx_begin(st, err);
    if (rc != GZ_OK)
        return rc;
    rc = st->ops->user_create(st, email, username, hash, NULL, NULL, clock_now(), id, err);
    if (rc == GZ_OK)
        rc = st->ops->user_set_role(st, *id, role, err);
    if (rc == GZ_OK)
        rc = st->ops->tx_commit(st, err);
    else
        store_rollback(st);
    return rc;
}

int cmd_user(int argc, char **argv)
{
    const char *data = "var", *dburl = NULL, *role = "reader", *username = NULL, *email = NULL, *newrole = NULL;
    enum user_role rv = ROLE_READER;
    int from_stdin = 0, add, status = 2;
    struct store *st = NULL;
    struct err err = { 0 };
    struct user u;
    char db[4096];

    if (argc < 1) {
        fputs(usage, stderr);
        return 2;
    }
    add = strcmp(argv[0], "add") == 0;
    if (!add && strcmp(argv[0], "role") != 0) {
        fprintf(stderr, "gazette user: unknown action '%s'\n%s", argv[0], usage);
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            data = argv[++i];
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            dburl = argv[++i];
        else if (strcmp(argv[i], "--role") == 0 && i + 1 < argc)
            role = argv[++i];
        else if (strcmp(argv[i], "--username") == 0 && i + 1 < argc)
            username = argv[++i];
        else if (strcmp(argv[i], "--password-stdin") == 0)
            from_stdin = 1;
        else if (argv[i][0] == '-') {
            fprintf(stderr, "gazette user: unknown option '%s'\n%s", argv[i], usage);
            return 2;
        } else if (!email)
            email = argv[i];
        else if (!add && !newrole)
            newrole = argv[i];
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!add)
        role = newrole;
    if (!email || !role) {
        fputs(usage, stderr);
        return 2;
    }
    if (!user_role_parse(role, &rv)) {
        fprintf(stderr, "gazette user: role must be reader, editor or admin\n");
        return 2;
    }
    if (auth_email_check(email) != AUTH_OK) {
        fprintf(stderr, "gazette user: '%s' is not an email address\n", email);
        return 2;
    }
    if (!dburl || !*dburl)
        dburl = getenv("GAZETTE_DB");
    if (dburl && *dburl)
        snprintf(db, sizeof db, "%s", dburl);
    else if (mkdir(data, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "gazette user: cannot create folder '%s': %s\n", data, strerror(errno));
        return 1;
    }
    else
        snprintf(db, sizeof db, "%s/gazette.db", data);
    if (store_open(db, &st, &err) != GZ_OK) {
        fprintf(stderr, "gazette user: %s\n", err.msg);
        return 1;
    }
    if (st->ops->user_by_login(st, email, &u, &err) == GZ_OK) {
        if (st->ops->user_set_role(st, u.id, rv, &err) != GZ_OK) {
            fprintf(stderr, "gazette user: %s\n", err.msg);
            status = 1;
        } else {
            printf("%s is now %s\n", u.email ? u.email : email, role);
            status = 0;
        }
        user_release(&u);
    } else if (!add) {
        fprintf(stderr, "gazette user: no account '%s'\n", email);
    } else {
        char pw[AUTH_PW_MAX + 2] = "";
        int64_t id = 0;
        enum auth_problem p;
        if (from_stdin) {
            if (!fgets(pw, sizeof pw, stdin))
                pw[0] = '\0';
            pw[strcspn(pw, "\r\n")] = '\0';
        } else {
            auth_token_new(pw); /* 43 random characters, shown once below */
        }
        p = auth_password_check(pw, username, email);
        if (p != AUTH_OK) {
            fprintf(stderr, "gazette user: the password is too %s\n",
                    p == AUTH_PW_LONG ? "long" : "weak (8 to 128 characters, not common)");
        } else if (create(st, email, username, pw, rv, &id, &err) != GZ_OK) {
            fprintf(stderr, "gazette user: cannot create '%s': %s\n", email,
                    err.code == GZ_ECONFLICT ? "that username is taken" : err.msg);
            status = 1;
        } else {
            printf("created %s (%s)\n", email, role);
            if (!from_stdin)
                printf("password: %s\n", pw);
            status = 0;
        }
        sodium_memzero(pw, sizeof pw);
    }
    store_close(st);
    return status;
}
