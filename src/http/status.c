/*
 * status.c: the one place that turns a GZ status code into an HTTP status, and the section
 * list every page's navigation needs (a failure there costs the menu, not the page).
 */
#include <microhttpd.h>

#include "core/log.h"
#include "http/http_int.h"

int http_status(int rc)
{
    switch (rc) {
    case GZ_OK:
        return 200;
    case GZ_EINVAL:
        return 400;
    case GZ_EAUTH:
        return 401;
    case GZ_EFORBIDDEN:
        return 403;
    case GZ_ENOTFOUND:
        return 404;
    case GZ_ECONFLICT:
        return 409;
    case GZ_ETOOBIG:
        return 413;
    case GZ_EAUDIO:
        return 422;
    case GZ_ELIMIT:
        return 429;
    case GZ_ESEND:
        return 502;
    case GZ_EBUSY:
        return 503;
    case GZ_EFULL:
        return 507;
    default:
        return 500;
    }
}

int http_store_status(struct req *r, int rc)
{
    int status = http_status(rc);

    if (status == 503)
        r->retry_after = 1;
    return status >= 500 ? status : 500;
}

void http_sections(struct req *r, struct section_list *out)
{
    struct err err = { 0 };

    out->item = NULL;
    out->n = 0;
    if (r->st && r->st->ops->sections(r->st, out, &err) != GZ_OK)
        log_warn("http", "%s %s: no section menu: %s", r->method, r->path, err.msg);
}
