/*
 * compress.h: gzip (zlib) and brotli bodies, negotiated by Accept-Encoding,
 * made once per cached page or static file and reused for every response.
 *
 * Cached pages carry the reader's CSRF token at recorded offsets ("slots"),
 * different for every reader, so a page cannot be compressed once as a whole.
 * The gzip form is built in pieces instead: each stretch of page between two
 * slots is deflated and ends with a sync flush (byte-aligned), and a response
 * puts the reader's token between the pieces as a stored (uncompressed) deflate
 * block, then a trailer whose CRC-32 is combined from the pieces' CRCs and the
 * token's (crc32_combine). Per response that is one copy and a few CRC
 * combines, no compression. So that later pieces may still refer back across a
 * slot, the compressor is given a placeholder of the token's length as history
 * at each slot (deflateSetDictionary on a raw stream appends to the window
 * without emitting it); its bytes (\0, \1) never occur in the page, so no match
 * can copy them, and distances stay right once the real token of the same
 * length is in place. A page that does contain such bytes is cut with full
 * flushes instead (no reference crosses a slot, any token length). Brotli has
 * no such reset point (literal contexts and the distance cache run across
 * meta-blocks), so brotli is made only for bodies without slots (feeds,
 * sitemaps, transcripts, static files); pages with forms go out gzip.
 */
#ifndef GZ_HTTP_COMPRESS_H
#define GZ_HTTP_COMPRESS_H

#include <stddef.h>
#include <stdint.h>

enum content_enc {
    ENC_IDENTITY,
    ENC_GZIP,
    ENC_BR
};

#define COMPRESS_MIN 1024 /* smaller bodies go out as they are */

/* The best coding the client accepts (q-values; "*"; identity;q=0), among gzip
 * and, when br_ok, br. Ties go to br, then gzip; identity wins only when named
 * with a higher q. NULL header: identity. */
enum content_enc compress_pick(const char *accept_encoding, int br_ok);
/* "gzip", "br", or NULL for identity. */
const char *compress_name(enum content_enc e);
/* 1 for media types worth compressing (text, JSON, XML, SVG); never audio or
 * images. */
int compress_type_ok(const char *ctype);

/* Whole-body compression; *out is malloc'd. GZ_OK, or GZ_EIO when the library
 * fails. */
int compress_gzip(const void *in, size_t n, char **out, size_t *out_len);
int compress_br(const void *in, size_t n, int quality, char **out, size_t *out_len);

/* A page with n token slots at offsets at[] (ascending), compressed once. */
struct zpage {
    char *gz;          /* gzip header, then the pieces back to back (no trailer) */
    size_t *piece_end; /* n + 1 ends of the pieces in gz */
    uint32_t *crc;     /* CRC-32 of each piece's uncompressed bytes */
    size_t *len;       /* uncompressed length of each piece */
    size_t n_slots;
    int shared_window; /* placeholders of ZPAGE_TOKEN_LEN bytes: tokens must be
                          that long */
    char *br;          /* whole-body brotli, only when n_slots == 0 */
    size_t br_len;
};

#define ZPAGE_TOKEN_LEN 43 /* the site's CSRF tokens: 32 bytes in unpadded base64url */

/* Build z for data (GZ_OK; GZ_EIO on a library failure, z then empty). */
int zpage_build(struct zpage *z, const char *data, size_t len, const size_t *at, size_t n);
/* The gzip body with tok in every slot (malloc'd); NULL when the page was built
 * with placeholders and tok is not ZPAGE_TOKEN_LEN bytes (send it uncompressed
 * then). */
char *zpage_gzip(const struct zpage *z, const char *tok, size_t tok_len, size_t *out_len);
void zpage_release(struct zpage *z);

#endif
