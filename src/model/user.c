#include "model/user.h"

#include <stdlib.h>
#include <string.h>

void user_release(struct user *u)
{
    free(u->email);
    free(u->username);
    free(u->pw_hash);
    free(u->phone);
    memset(u, 0, sizeof *u);
}

void session_list_release(struct session_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->item[i].user_agent);
        free(l->item[i].ip);
    }
    free(l->item);
    memset(l, 0, sizeof *l);
}

void audit_list_release(struct audit_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->item[i].event);
        free(l->item[i].ip);
        free(l->item[i].detail);
    }
    free(l->item);
    memset(l, 0, sizeof *l);
}

void outbox_list_release(struct outbox_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->item[i].kind);
        free(l->item[i].rcpt);
        free(l->item[i].subject);
        free(l->item[i].body);
    }
    free(l->item);
    memset(l, 0, sizeof *l);
}

const char *user_role_name(enum user_role r)
{
    switch (r) {
    case ROLE_EDITOR:
        return "editor";
    case ROLE_ADMIN:
        return "admin";
    case ROLE_READER:
        break;
    }
    return "reader";
}

int user_role_parse(const char *s, enum user_role *out)
{
    static const enum user_role all[] = { ROLE_READER, ROLE_EDITOR, ROLE_ADMIN };
    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, user_role_name(all[i])) == 0) {
            *out = all[i];
            return 1;
        }
    return 0;
}
