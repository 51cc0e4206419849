/* compress.c: gzip and brotli bodies; see compress.h for the token-slot design.
 */
#include "http/compress.h"

#include <brotli/encode.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "core/buf.h"
#include "core/gz.h"

/* One Accept-Encoding element's q-value: "q=0.5" → 500 (thousandths); 1000 when
 * absent, -1 when malformed (the element is then ignored). */
static int parse_q(const char *p, const char *end)
{
    int q = 0, scale = 100;

    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (p == end)
        return 1000;
    if (*p != ';')
        return -1;
    p++;
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    if (end - p < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
        return -1;
    p += 2;
    if (p < end && (*p == '0' || *p == '1')) {
        q = (*p - '0') * 1000;
        p++;
    } else {
        return -1;
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9' && scale > 0; p++, scale /= 10)
            q += (*p - '0') * scale;
    }
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p == end && q <= 1000 ? q : -1;
}

enum content_enc compress_pick(const char *ae, int br_ok)
{
    int q_br = -1, q_gz = -1, q_id = -1, q_star = -1;
    const char *p = ae;

    if (!ae)
        return ENC_IDENTITY;
    while (*p) {
        const char *end = strchr(p, ',');
        const char *tok, *tok_end;
        int q;

        if (!end)
            end = p + strlen(p);
        tok = p;
        while (tok < end && (*tok == ' ' || *tok == '\t'))
            tok++;
        tok_end = tok;
        while (tok_end < end && *tok_end != ';' && *tok_end != ' ' && *tok_end != '\t')
            tok_end++;
        q = parse_q(tok_end, end);
        if (q >= 0) {
            size_t n = (size_t)(tok_end - tok);
            if (n == 2 && strncasecmp(tok, "br", 2) == 0)
                q_br = q;
            else if ((n == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
                     (n == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
                q_gz = q;
            else if (n == 8 && strncasecmp(tok, "identity", 8) == 0)
                q_id = q;
            else if (n == 1 && *tok == '*')
                q_star = q;
        }
        p = *end ? end + 1 : end;
    }
    /* Codings not named take "*"'s value. Identity is always acceptable (it is
     * the answer when nothing else is), but it outranks a coding only when given
     * a higher q itself. */
    if (q_br < 0)
        q_br = q_star < 0 ? 0 : q_star;
    if (q_gz < 0)
        q_gz = q_star < 0 ? 0 : q_star;
    if (q_id < 0)
        q_id = 0;
    if (!br_ok)
        q_br = 0;
    if (q_br > 0 && q_br >= q_gz && q_br >= q_id)
        return ENC_BR;
    if (q_gz > 0 && q_gz >= q_id)
        return ENC_GZIP;
    return ENC_IDENTITY;
}

const char *compress_name(enum content_enc e)
{
    return e == ENC_GZIP ? "gzip" : e == ENC_BR ? "br" : NULL;
}

int compress_type_ok(const char *ctype)
{
    static const char *const ok[] = { "text/",           "application/json",
                                      "application/xml", "application/rss+xml",
                                      "image/svg+xml",   "application/javascript" };
    for (size_t i = 0; ctype && i < GZ_NELEM(ok); i++)
        if (strncmp(ctype, ok[i], strlen(ok[i])) == 0)
            return 1;
    return 0;
}

static const unsigned char gzip_head[10] = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3 };

static void put_le32(struct buf *b, uint32_t v)
{
    unsigned char le[4] = { (unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                            (unsigned char)(v >> 24) };
    buf_append(b, le, 4);
}

/* Deflate in into out (raw deflate) ending with flush (Z_FULL_FLUSH or
 * Z_FINISH). */
static int deflate_piece(z_stream *zs, const char *in, size_t n, int flush, struct buf *out)
{
    unsigned char chunk[16384];
    int zr;

    zs->next_in = (Bytef *)(uintptr_t)in;
    zs->avail_in = (uInt)n;
    do {
        zs->next_out = chunk;
        zs->avail_out = sizeof chunk;
        zr = deflate(zs, flush);
        if (zr == Z_STREAM_ERROR)
            return GZ_EIO;
        buf_append(out, chunk, sizeof chunk - zs->avail_out);
    } while (zs->avail_out == 0 || (flush == Z_FINISH && zr != Z_STREAM_END));
    return out->err ? GZ_EIO : GZ_OK;
}

static int build(struct zpage *z, const char *data, size_t len, const size_t *at, size_t n,
                 int with_br);

int compress_gzip(const void *in, size_t n, char **out, size_t *out_len)
{
    struct zpage z;
    int rc;

    *out = NULL;
    *out_len = 0;
    rc = build(&z, in, n, NULL, 0, 0);
    if (rc == GZ_OK)
        *out = zpage_gzip(&z, NULL, 0, out_len);
    zpage_release(&z);
    return rc;
}

int compress_br(const void *in, size_t n, int quality, char **out, size_t *out_len)
{
    size_t cap = BrotliEncoderMaxCompressedSize(n);
    uint8_t *o;

    *out = NULL;
    *out_len = 0;
    if (cap == 0)
        return GZ_EIO;
    o = xmalloc(cap);
    if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_TEXT, n, in, &cap, o)) {
        free(o);
        return GZ_EIO;
    }
    *out = (char *)o;
    *out_len = cap;
    return GZ_OK;
}

int zpage_build(struct zpage *z, const char *data, size_t len, const size_t *at, size_t n)
{
    return build(z, data, len, at, n, 1);
}

static int build(struct zpage *z, const char *data, size_t len, const size_t *at, size_t n,
                 int with_br)
{
    static const char placeholder[ZPAGE_TOKEN_LEN] = { 1 }; /* \1, then \0s */
    z_stream zs;
    struct buf gz;
    size_t from = 0;
    int rc = GZ_OK;

    memset(z, 0, sizeof *z);
    memset(&zs, 0, sizeof zs);
    if (deflateInit2(&zs, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return GZ_EIO;
    z->n_slots = n;
    /* Placeholders work only when no byte of them can be matched by page text. */
    z->shared_window = n > 0 && !memchr(data, 0, len) && !memchr(data, 1, len);
    z->piece_end = xcalloc(n + 1, sizeof *z->piece_end);
    z->crc = xcalloc(n + 1, sizeof *z->crc);
    z->len = xcalloc(n + 1, sizeof *z->len);
    buf_init(&gz, 0);
    buf_append(&gz, gzip_head, sizeof gzip_head);
    for (size_t i = 0; i <= n && rc == GZ_OK; i++) {
        size_t to = i < n ? at[i] : len;
        int flush = i == n ? Z_FINISH : z->shared_window ? Z_SYNC_FLUSH : Z_FULL_FLUSH;
        z->len[i] = to - from;
        z->crc[i] = (uint32_t)crc32(0L, (const Bytef *)data + from, (uInt)(to - from));
        rc = deflate_piece(&zs, data + from, to - from, flush, &gz);
        z->piece_end[i] = gz.len;
        from = to;
        /* The token goes here: history the next piece's distances count, never
         * emitted. */
        if (rc == GZ_OK && i < n && z->shared_window &&
            deflateSetDictionary(&zs, (const Bytef *)placeholder, sizeof placeholder) != Z_OK)
            rc = GZ_EIO;
    }
    deflateEnd(&zs);
    z->gz = buf_take(&gz, NULL);
    if (rc == GZ_OK && with_br && n == 0 && compress_br(data, len, 9, &z->br, &z->br_len) != GZ_OK)
        rc = GZ_EIO;
    if (rc != GZ_OK)
        zpage_release(z);
    return rc;
}

char *zpage_gzip(const struct zpage *z, const char *tok, size_t tok_len, size_t *out_len)
{
    if (z->shared_window && tok_len != ZPAGE_TOKEN_LEN)
        return NULL;
    struct buf out;
    uint32_t crc = z->crc[0], tok_crc = (uint32_t)crc32(0L, (const Bytef *)tok, (uInt)tok_len);
    uint64_t total = z->len[0];
    size_t from;
    unsigned char stored[5] = { 0, (unsigned char)tok_len, (unsigned char)(tok_len >> 8),
                                (unsigned char)~tok_len, (unsigned char)(~tok_len >> 8) };

    buf_init(&out, 0);
    buf_reserve(&out, z->piece_end[z->n_slots] + z->n_slots * (tok_len + 5) + 8);
    buf_append(&out, z->gz, z->piece_end[0]);
    from = z->piece_end[0];
    for (size_t i = 1; i <= z->n_slots; i++) {
        /* The token as a stored block: BFINAL 0, BTYPE 00, padding (one zero byte,
         * as the full flush left the stream byte-aligned), LEN, NLEN, the bytes. */
        buf_append(&out, stored, sizeof stored);
        buf_append(&out, tok, tok_len);
        buf_append(&out, z->gz + from, z->piece_end[i] - from);
        from = z->piece_end[i];
        crc = (uint32_t)crc32_combine(crc, tok_crc, (z_off_t)tok_len);
        crc = (uint32_t)crc32_combine(crc, z->crc[i], (z_off_t)z->len[i]);
        total += tok_len + z->len[i];
    }
    put_le32(&out, crc);
    put_le32(&out, (uint32_t)total);
    return buf_take(&out, out_len);
}

void zpage_release(struct zpage *z)
{
    free(z->gz);
    free(z->piece_end);
    free(z->crc);
    free(z->len);
    free(z->br);
    memset(z, 0, sizeof *z);
}
