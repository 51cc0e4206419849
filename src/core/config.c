/* config.c: see config.h. */
#include "core/config.h"

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"

#define CONFIG_MAX (1 << 20)

int config_bool(const char *v)
{
    static const char *const yes[] = { "true", "yes", "on", "1" }, *const no[] = { "false", "no",
                                                                                   "off", "0" };
    for (size_t i = 0; i < GZ_NELEM(yes); i++) {
        if (strcmp(v, yes[i]) == 0)
            return 1;
        if (strcmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

int config_load(const char *path, config_set_fn set, void *ctx, struct err *err)
{
    struct buf text;
    char *p, *line_end;
    int lineno = 0, rc;

    buf_init(&text, CONFIG_MAX);
    rc = buf_read_file(&text, path, err);
    if (rc != GZ_OK)
        goto out;
    if (text.len && memchr(text.data, '\0', text.len)) {
        rc = err_set(err, GZ_EINVAL, "%s: not a text file (NUL byte)", path);
        goto out;
    }
    for (p = text.data; p && *p; p = line_end ? line_end + 1 : NULL) {
        char *name, *eq, *value, *end;
        struct err e = { 0 };

        lineno++;
        line_end = strchr(p, '\n');
        if (line_end)
            *line_end = '\0';
        while (is_space(*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        eq = strchr(p, '=');
        if (!eq) {
            rc = err_set(err, GZ_EINVAL, "%s:%d: expected 'name = value'", path, lineno);
            goto out;
        }
        name = p;
        end = eq;
        while (end > name && is_space(end[-1]))
            end--;
        *end = '\0';
        value = eq + 1;
        while (is_space(*value))
            value++;
        end = value + strlen(value);
        while (end > value && is_space(end[-1]))
            end--;
        *end = '\0';
        if (end - value >= 2 && value[0] == '"' && end[-1] == '"') {
            value++;
            end[-1] = '\0';
        } else if (value[0] == '"' || (end > value && end[-1] == '"')) {
            rc = err_set(err, GZ_EINVAL, "%s:%d: unbalanced quote in the value of '%s'", path,
                         lineno, name);
            goto out;
        }
        if (*name == '\0' ||
            strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(name)) {
            rc = err_set(err, GZ_EINVAL, "%s:%d: bad setting name '%s'", path, lineno, name);
            goto out;
        }
        rc = set(ctx, name, value, &e);
        if (rc != GZ_OK) {
            err_set(err, rc, "%s:%d: %s", path, lineno, e.msg);
            goto out;
        }
    }
    rc = GZ_OK;
out:
    buf_release(&text);
    return rc;
}
