/*
 * user.h: reader accounts as handlers and renderers see them. Secrets never appear here
 * except pw_hash (an Argon2id string). Ownership: *_release frees what a struct owns.
 */
#ifndef GZ_MODEL_USER_H
#define GZ_MODEL_USER_H

#include <stddef.h>
#include <stdint.h>

/* What an account may do. Stored and shown by name (user_role_name). */
enum user_role {
    ROLE_READER = 0,
    ROLE_EDITOR,
    ROLE_ADMIN,
};

/* "reader", "editor", "admin". */
const char *user_role_name(enum user_role r);
/* 0 when s names no role (NULL included); OUT: *out. */
int user_role_parse(const char *s, enum user_role *out);

struct user {
    int64_t id;
    char *email, *username, *pw_hash, *phone; /* NULL when unset */
    enum user_role role;
    int font_size;                                   /* 0: unset */
    double rate;                                     /* 0: unset */
    int64_t created;
};

struct session_row {
    int64_t id, created, last_seen, expires;
    char *user_agent, *ip;
    int current; /* the session of this request */
};

struct session_list {
    struct session_row *item;
    size_t n;
};

struct audit_row {
    int64_t at;
    char *event, *ip, *detail;
};

struct audit_list {
    struct audit_row *item;
    size_t n;
};

struct outbox_row {
    int64_t id, at;
    char *kind, *rcpt, *subject, *body;
};

struct outbox_list {
    struct outbox_row *item;
    size_t n;
};

void user_release(struct user *u);
void session_list_release(struct session_list *l);
void audit_list_release(struct audit_list *l);
void outbox_list_release(struct outbox_list *l);

#endif
