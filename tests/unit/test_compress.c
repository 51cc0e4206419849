/* Content-coding negotiation and the once-compressed page with token slots. */
#include <brotli/decode.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/buf.h"
#include "http/compress.h"
#include "suites.h"

START_TEST(pick_by_q_values)
{
    static const struct {
        const char *ae;
        int br_ok;
        enum content_enc want;
    } cases[] = {
        { NULL, 1, ENC_IDENTITY },
        { "", 1, ENC_IDENTITY },
        { "gzip, deflate, br", 1, ENC_BR },
        { "gzip, deflate, br", 0, ENC_GZIP },
        { "br", 0, ENC_IDENTITY },
        { "gzip;q=0.5, br;q=0.4, identity;q=0.1", 1, ENC_GZIP },
        { "gzip;q=0.5, br;q=0.4", 1, ENC_GZIP },
        { "gzip;q=0.5, identity", 1, ENC_IDENTITY }, /* named identity, higher q */
        { "gzip;q=0, br;q=0", 1, ENC_IDENTITY },
        { "GZIP", 1, ENC_GZIP },
        { "x-gzip", 1, ENC_GZIP },
        { "*", 1, ENC_BR },
        { "*;q=0.5, gzip;q=0", 1, ENC_BR },
        { "gzip;q=0.5", 1, ENC_GZIP },
        { "gzip;q=0.5, identity;q=0", 1, ENC_GZIP },
        { "gzip;q=0.5, identity;q=0.4", 1, ENC_GZIP },
        { "gzip ; q=1.0 , br;q=0.999", 1, ENC_GZIP },
        { "gzip;q=2, br;q=abc", 1, ENC_IDENTITY }, /* malformed elements are ignored */
        { "deflate", 1, ENC_IDENTITY },
        { "brotli, gzipx", 1, ENC_IDENTITY },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        ck_assert_msg(compress_pick(cases[i].ae, cases[i].br_ok) == cases[i].want,
                      "'%s' br_ok=%d: got %d, want %d", cases[i].ae ? cases[i].ae : "(null)",
                      cases[i].br_ok, compress_pick(cases[i].ae, cases[i].br_ok), cases[i].want);
}
END_TEST

START_TEST(types)
{
    ck_assert(compress_type_ok("text/html; charset=utf-8"));
    ck_assert(compress_type_ok("application/rss+xml; charset=utf-8"));
    ck_assert(compress_type_ok("image/svg+xml"));
    ck_assert(!compress_type_ok("audio/mpeg"));
    ck_assert(!compress_type_ok("image/png"));
    ck_assert(!compress_type_ok(NULL));
}
END_TEST

static char *gunzip(const char *in, size_t n, size_t *out_len)
{
    z_stream zs;
    struct buf out;
    unsigned char chunk[8192];
    int zr;

    memset(&zs, 0, sizeof zs);
    ck_assert_int_eq(inflateInit2(&zs, 16 + 15), Z_OK); /* gzip only: checks CRC and size */
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)n;
    buf_init(&out, 0);
    do {
        zs.next_out = chunk;
        zs.avail_out = sizeof chunk;
        zr = inflate(&zs, Z_NO_FLUSH);
        ck_assert_msg(zr == Z_OK || zr == Z_STREAM_END, "inflate: %d %s", zr, zs.msg ? zs.msg : "");
        buf_append(&out, chunk, sizeof chunk - zs.avail_out);
    } while (zr != Z_STREAM_END);
    ck_assert_uint_eq(zs.avail_in, 0); /* nothing after the trailer */
    inflateEnd(&zs);
    return buf_take(&out, out_len);
}

/* A page of repetitive HTML with forms, so that later text refers back across
 * the slots. */
static char *page(size_t *len, size_t *at, size_t *n, int with_ctl)
{
    struct buf b;
    buf_init(&b, 0);
    *n = 0;
    for (int i = 0; i < 40; i++) {
        buf_printf(&b, "<form method=\"post\" action=\"/prefs/fs\"><input type=\"hidden\" "
                       "name=\"csrf\" value=\"");
        if (i % 4 == 0)
            at[(*n)++] = b.len;
        buf_printf(&b, "\"><button name=\"fs\" value=\"%d\">A%d</button></form>\n", i % 5, i);
        if (with_ctl && i == 20)
            buf_putc(&b, '\1');
    }
    at[(*n)++] = b.len; /* a slot at the very end */
    return buf_take(&b, len);
}

static void check_page(int with_ctl)
{
    size_t at[16], n, len, gz_len, plain_len;
    char *data = page(&len, at, &n, with_ctl);
    struct zpage z;
    /* Tokens of every length for full-flush pages; 43 for placeholder pages. */
    const char *toks[] = { "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "short",
                           "\"quoted<and>\"", "" };

    ck_assert_int_eq(zpage_build(&z, data, len, at, n), GZ_OK);
    ck_assert_int_eq(z.shared_window, !with_ctl);
    ck_assert_ptr_null(z.br); /* brotli only without slots */
    for (size_t t = 0; t < sizeof toks / sizeof toks[0]; t++) {
        size_t tl = strlen(toks[t]);
        char *gz = zpage_gzip(&z, toks[t], tl, &gz_len);
        struct buf want;
        char *plain;
        size_t from = 0;

        if (z.shared_window && tl != ZPAGE_TOKEN_LEN) {
            ck_assert_ptr_null(gz);
            continue;
        }
        ck_assert_ptr_nonnull(gz);
        buf_init(&want, 0);
        for (size_t i = 0; i < n; i++) {
            buf_append(&want, data + from, at[i] - from);
            buf_puts(&want, toks[t]);
            from = at[i];
        }
        buf_append(&want, data + from, len - from);
        plain = gunzip(gz, gz_len, &plain_len);
        ck_assert_uint_eq(plain_len, want.len);
        ck_assert(memcmp(plain, want.data, want.len) == 0);
        /* Placeholders let pieces refer back across slots; full flushes cannot. */
        ck_assert_uint_lt(gz_len, z.shared_window ? len / 4 : len / 2);
        free(plain);
        free(gz);
        buf_release(&want);
    }
    zpage_release(&z);
    free(data);
}

START_TEST(page_with_slots_placeholders)
{
    check_page(0);
}
END_TEST

START_TEST(page_with_slots_full_flush)
{
    check_page(1);
}
END_TEST

START_TEST(whole_bodies)
{
    size_t len, at[16], n, out_len, dec_len;
    char *data = page(&len, at, &n, 0), *gz, *br, *plain;
    struct zpage z;
    uint8_t *dec;

    ck_assert_int_eq(compress_gzip(data, len, &gz, &out_len), GZ_OK);
    plain = gunzip(gz, out_len, &dec_len);
    ck_assert_uint_eq(dec_len, len);
    ck_assert(memcmp(plain, data, len) == 0);
    free(plain);
    free(gz);

    ck_assert_int_eq(compress_br(data, len, 11, &br, &out_len), GZ_OK);
    dec_len = len * 2;
    dec = malloc(dec_len);
    ck_assert_int_eq(BrotliDecoderDecompress(out_len, (const uint8_t *)br, &dec_len, dec),
                     BROTLI_DECODER_RESULT_SUCCESS);
    ck_assert_uint_eq(dec_len, len);
    ck_assert(memcmp(dec, data, len) == 0);
    free(br);

    /* No slots: the page gets brotli as well, and gzip needs no token. */
    ck_assert_int_eq(zpage_build(&z, data, len, NULL, 0), GZ_OK);
    ck_assert_ptr_nonnull(z.br);
    dec_len = len * 2;
    ck_assert_int_eq(BrotliDecoderDecompress(z.br_len, (const uint8_t *)z.br, &dec_len, dec),
                     BROTLI_DECODER_RESULT_SUCCESS);
    ck_assert_uint_eq(dec_len, len);
    gz = zpage_gzip(&z, NULL, 0, &out_len);
    plain = gunzip(gz, out_len, &dec_len);
    ck_assert_uint_eq(dec_len, len);
    free(plain);
    free(gz);
    free(dec);
    zpage_release(&z);
    free(data);
}
END_TEST

Suite *suite_compress(void)
{
    Suite *s = suite_create("compress");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, pick_by_q_values);
    tcase_add_test(tc, types);
    tcase_add_test(tc, page_with_slots_placeholders);
    tcase_add_test(tc, page_with_slots_full_flush);
    tcase_add_test(tc, whole_bodies);
    suite_add_tcase(s, tc);
    return s;
}
