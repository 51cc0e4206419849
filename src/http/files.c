/* files.c: embedded static assets and media files (Range, ETag, Last-Modified, caching).
 * Media is sent from the file descriptor, never read into memory. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/embed.h"
#include "http/form.h"
#include "http/http_int.h"

/* Media names are content-hashed or fresh per upload (a file is never rewritten under its
 * name), so a year is safe; ETag and Last-Modified still let a reader's copy be checked. */
#define MEDIA_CACHE "public, max-age=31536000"
/* A picture's name is its content hash (and size): the bytes under it can never change. */
#define IMAGE_CACHE "public, max-age=31536000, immutable"

static const struct {
    const char *ext, *type;
} types[] = {
    { ".js", "text/javascript; charset=utf-8" },
    { ".css", "text/css; charset=utf-8" },
    { ".svg", "image/svg+xml" },
    { ".png", "image/png" },
    { ".jpg", "image/jpeg" },
    { ".webp", "image/webp" },
    { ".mp3", "audio/mpeg" },
    { ".ogg", "audio/ogg" },
    { ".opus", "audio/ogg" },
    { ".wav", "audio/wav" },
    { ".flac", "audio/flac" },
    { ".m4a", "audio/mp4" },
    { ".vtt", "text/vtt; charset=utf-8" },
    { ".json", "application/json" },
};

static const char *type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < GZ_NELEM(types); i++)
        if (strcmp(dot, types[i].ext) == 0)
            return types[i].type;
    return NULL;
}

/* A file name we serve: [A-Za-z0-9._-], not starting with '.', at most 128 bytes. */
static int safe_name(const char *n)
{
    size_t len = strlen(n);
    return len > 0 && len <= 128 && n[0] != '.' &&
           strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == len;
}

void files_asset_version(char out[17])
{
    crypto_generichash_state st;
    unsigned char h[8];

    crypto_generichash_init(&st, NULL, 0, sizeof h);
    for (size_t i = 0; i < embed_web_n; i++)
        crypto_generichash_update(&st, embed_web[i].data, embed_web[i].len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, 17, h, sizeof h);
}

int http_etag_match(struct req *r, const char *etag)
{
    const char *inm = http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    size_t n = strlen(etag);

    if (!inm)
        return 0;
    for (const char *p = inm; *p;) {
        size_t len;
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (p[0] == 'W' && p[1] == '/')
            p += 2; /* weak comparison, as RFC 9110 asks for If-None-Match */
        len = strcspn(p, ", \t");
        if ((len == 1 && *p == '*') || (len == n && memcmp(p, etag, n) == 0))
            return 1;
        p += len;
    }
    return 0;
}

static enum MHD_Result not_modified(struct req *r, const char *etag, const char *cc)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    http_common_headers(r, resp);
    ret = MHD_queue_response(r->conn, 304, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Compressed forms of the embedded web files, made once at first use. */
struct zfile {
    char *gz, *br;
    size_t gz_len, br_len;
};
static struct zfile *zfiles;
static pthread_once_t zfiles_once = PTHREAD_ONCE_INIT;

static void zfiles_init(void)
{
    zfiles = xcalloc(embed_web_n ? embed_web_n : 1, sizeof *zfiles);
    for (size_t i = 0; i < embed_web_n; i++) {
        const struct embed_file *f = &embed_web[i];
        struct zfile *z = &zfiles[i];
        if (f->len < COMPRESS_MIN || !compress_type_ok(type_of(f->name)))
            continue;
        if (compress_gzip(f->data, f->len, &z->gz, &z->gz_len) != GZ_OK ||
            compress_br(f->data, f->len, 11, &z->br, &z->br_len) != GZ_OK) {
            free(z->gz);
            free(z->br);
            memset(z, 0, sizeof *z);
        }
    }
}

enum MHD_Result files_static(struct req *r, const char *name)
{
    const struct embed_file *f;
    const struct zfile *z;
    const char *v = http_query(r, "v");
    const char *cc = v && strcmp(v, r->app->asset_ver) == 0
                             ? "public, max-age=31536000, immutable"
                             : "public, max-age=300";
    char etag[32];
    const void *body;
    size_t len;
    enum content_enc enc = ENC_IDENTITY;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    int nm;

    if (!safe_name(name) || !(f = embed_find(embed_web, embed_web_n, name)) || !type_of(name))
        return http_error(r, 404);
    pthread_once(&zfiles_once, zfiles_init);
    z = &zfiles[f - embed_web];
    if (z->gz)
        enc = compress_pick(http_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING), 1);
    body = enc == ENC_BR ? z->br : enc == ENC_GZIP ? z->gz : (const void *)f->data;
    len = enc == ENC_BR ? z->br_len : enc == ENC_GZIP ? z->gz_len : f->len;
    snprintf(etag, sizeof etag, "\"%s%s%s\"", r->app->asset_ver, enc ? "-" : "",
             enc ? compress_name(enc) : "");
    nm = http_etag_match(r, etag);
    if (nm) {
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    } else {
        resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)body,
                                               MHD_RESPMEM_PERSISTENT);
        if (resp)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type_of(name));
        if (resp && enc)
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, compress_name(enc));
        r->bytes = (int64_t)len;
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    if (z->gz)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    http_common_headers(r, resp);
    ret = MHD_queue_response(r->conn, nm ? 304 : 200, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result files_media(struct req *r, const char *name)
{
    struct buf path;
    struct stat sb;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    enum range_kind rk;
    uint64_t first = 0, last = 0, size;
    char etag[64], lm[64], cr[96];
    const char *type = type_of(name), *ifr, *cache;
    struct tm tm;
    int fd, status = 200, access;

    if (strncmp(name, "img/", 4) == 0) { /* a newsroom picture (content-hashed name) */
        if (!safe_name(name + 4) || !type)
            return http_error(r, 404);
        access = newsroom_image_access(r, name + 4);
        cache = access == 1 ? IMAGE_CACHE : "private, no-store";
    } else {
        if (!safe_name(name) || !type)
            return http_error(r, 404);
        access = newsroom_media_access(r, name);
        cache = access == 1 ? MEDIA_CACHE : "private, no-store";
    }
    if (!access) /* an unpublished story's narration is not there for readers */
        return http_error(r, 404);
    buf_init(&path, 4096);
    buf_printf(&path, "%s/%s", r->app->media_dir, name);
    fd = open(buf_cstr(&path), O_RDONLY | O_CLOEXEC);
    buf_release(&path);
    if (fd < 0)
        return http_error(r, errno == ENOENT ? 404 : 500);
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        close(fd);
        return http_error(r, 404);
    }
    size = (uint64_t)sb.st_size;
    snprintf(etag, sizeof etag, "\"%" PRIx64 "-%lx\"", size, (long)sb.st_mtime);
    gmtime_r(&sb.st_mtime, &tm);
    strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (http_etag_match(r, etag)) {
        close(fd);
        return not_modified(r, etag, cache);
    }
    rk = range_parse(http_header(r, MHD_HTTP_HEADER_RANGE), size, &first, &last);
    ifr = http_header(r, MHD_HTTP_HEADER_IF_RANGE);
    if (rk != RANGE_NONE && ifr && strcmp(ifr, etag) != 0 && strcmp(ifr, lm) != 0)
        rk = RANGE_NONE; /* the reader's copy is stale: send it all */
    if (rk == RANGE_UNSAT) {
        close(fd);
        resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
        if (!resp)
            return MHD_NO;
        snprintf(cr, sizeof cr, "bytes */%" PRIu64, size);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
        http_common_headers(r, resp);
        ret = MHD_queue_response(r->conn, 416, resp);
        MHD_destroy_response(resp);
        return ret;
    }
    r->bytes = (int64_t)(rk == RANGE_OK ? last - first + 1 : size);
    if (rk == RANGE_OK) {
        status = 206;
        resp = MHD_create_response_from_fd_at_offset64(last - first + 1, fd, first);
        snprintf(cr, sizeof cr, "bytes %" PRIu64 "-%" PRIu64 "/%" PRIu64, first, last, size);
    } else {
        resp = MHD_create_response_from_fd_at_offset64(size, fd, 0);
    }
    if (!resp) {
        close(fd);
        return MHD_NO;
    }
    if (status == 206)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_RANGE, cr);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, lm);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    if (access == 1)
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    http_common_headers(r, resp);
    ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}
