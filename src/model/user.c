#include "model/user.h"

#include <stdlib.h>
#include <string.h>

void user_release(struct user *u)
{
    free(u->email);
    free(u->username);
    free(u->pw_hash);
    free(u->phone);
    free(u->role);
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
