/*
 * form.h: request input decoders, pure and fuzzed: application/x-www-form-urlencoded bodies
 * and query strings, and the Range header.
 */
#ifndef GZ_HTTP_FORM_H
#define GZ_HTTP_FORM_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

#define FORM_FIELDS_MAX 8192

struct form_field {
    char *name, *value; /* decoded, NUL-terminated; owned by the form */
};

struct form {
    struct form_field *f; /* malloc'd; a zeroed struct form is empty */
    size_t n, cap;
};

/* Decode s[0..n); '+' is a space, %XX a byte. Fails (GZ_EINVAL) on a bad escape, a NUL byte,
 * invalid UTF-8 or more than FORM_FIELDS_MAX fields. The form is empty after a failure. */
int form_parse(struct form *f, const char *s, size_t n);
/* The first value of name, or NULL. */
const char *form_get(const struct form *f, const char *name);
void form_release(struct form *f);

/* A parsed "Range: bytes=..." against a resource of size bytes. */
enum range_kind {
    RANGE_NONE,  /* absent, malformed, or several ranges: send the whole resource (200) */
    RANGE_OK,    /* send [first, last] (206) */
    RANGE_UNSAT, /* 416 with Content-Range: bytes * / size */
};
enum range_kind range_parse(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last);

/* A local redirect target: "/..." without "//", "\\", control characters; else "/". */
const char *form_local_path(const char *back);

#endif
