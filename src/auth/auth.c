#include "auth/auth.h"

#include <ctype.h>
#include <pthread.h>
#include <string.h>

#include <sodium.h>

#include "core/embed.h"
#include "text/text.h"

int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX])
{
    if (crypto_pwhash_str_alg(out, pw, strlen(pw), 2, (size_t)19 << 20,
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        return GZ_EIO;
    return GZ_OK;
}

static char dummy_hash[AUTH_HASH_MAX];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
    char pw[AUTH_TOKEN_LEN + 1];
    auth_token_new(pw);
    if (auth_password_hash(pw, dummy_hash) != GZ_OK)
        dummy_hash[0] = '\0';
}

int auth_password_verify(const char *hash, const char *pw)
{
    if (!hash || !*hash) {
        /* No account (or no password): spend the same time as a real check, then fail. */
        pthread_once(&dummy_once, dummy_init);
        if (dummy_hash[0] && crypto_pwhash_str_verify(dummy_hash, pw, strlen(pw)) == 0)
            return 0; /* a random password: never matches in practice, fails regardless */
        return 0;
    }
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

/* Case-insensitive membership in the embedded list (one per line, '#' comments). */
static int common(const char *pw)
{
    const struct embed_file *f = embed_find(embed_data, embed_data_n, "common-passwords.txt");
    size_t n = strlen(pw);
    const char *p, *end;

    if (!f)
        return 0;
    p = (const char *)f->data;
    end = p + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len == n && p[0] != '#' && strncasecmp(p, pw, n) == 0)
            return 1;
        p += len + 1;
    }
    return 0;
}

enum auth_problem auth_password_check(const char *pw, const char *username, const char *email)
{
    size_t n = strlen(pw);

    if (utf8_len(pw, n) < AUTH_PW_MIN)
        return AUTH_PW_SHORT;
    if (n > AUTH_PW_MAX)
        return AUTH_PW_LONG;
    if (common(pw))
        return AUTH_PW_COMMON;
    if (username && *username && strcasecmp(pw, username) == 0)
        return AUTH_PW_LIKE_NAME;
    if (email && *email) {
        const char *at = strchr(email, '@');
        size_t local = at ? (size_t)(at - email) : strlen(email);
        if (strcasecmp(pw, email) == 0 || (local == n && strncasecmp(pw, email, n) == 0))
            return AUTH_PW_LIKE_NAME;
    }
    return AUTH_OK;
}

enum auth_problem auth_email_check(const char *e)
{
    size_t n = strlen(e);
    const char *at = strchr(e, '@'), *dot;

    if (n < 3 || n > 254 || !at || at == e || strchr(at + 1, '@') || at - e > 64)
        return AUTH_EMAIL_BAD;
    for (const char *p = e; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == '<' || *p == '>' || *p == '"' || *p == '\\' ||
            *p == ',' || *p == ';' || (unsigned char)*p >= 0x7f)
            return AUTH_EMAIL_BAD;
    dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || dot[1] == '\0' || strstr(at + 1, ".."))
        return AUTH_EMAIL_BAD;
    for (const char *p = at + 1; *p; p++)
        if (!isalnum((unsigned char)*p) && *p != '-' && *p != '.')
            return AUTH_EMAIL_BAD;
    return AUTH_OK;
}

enum auth_problem auth_username_check(const char *name)
{
    size_t n = strlen(name), chars;

    if (!utf8_valid(name, n))
        return AUTH_USERNAME_BAD;
    chars = utf8_len(name, n);
    if (chars < 3 || chars > 32)
        return AUTH_USERNAME_BAD;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x80) {
            if (!isalnum(c) && c != '_' && c != '-' && c != '.')
                return AUTH_USERNAME_BAD;
            i++;
        } else {
            /* CJK Unified Ideographs U+4E00..U+9FFF: E4 B8 80 .. E9 BF BF */
            if (n - i < 3 || c < 0xe4 || c > 0xe9 || (c == 0xe4 && (unsigned char)name[i + 1] < 0xb8))
                return AUTH_USERNAME_BAD;
            i += 3;
        }
    }
    return AUTH_OK;
}

enum auth_problem auth_phone_parse(const char *in, char out[AUTH_PHONE_MAX])
{
    char d[32];
    size_t n = 0;
    int plus = 0;
    const char *p = in;

    while (*p == ' ')
        p++;
    if (*p == '+') {
        plus = 1;
        p++;
    }
    for (; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (n + 1 >= sizeof d)
                return AUTH_PHONE_BAD;
            d[n++] = *p;
        } else if (*p != ' ' && *p != '-' && *p != '(' && *p != ')') {
            return AUTH_PHONE_BAD;
        }
    }
    d[n] = '\0';
    /* Strip the country code: +86 / 0086 / 86 before 11 digits. */
    if (plus || (n > 2 && d[0] == '0' && d[1] == '0')) {
        const char *cc = plus ? d : d + 2;
        if (strncmp(cc, "86", 2) != 0)
            return AUTH_PHONE_FOREIGN;
        memmove(d, cc + 2, strlen(cc + 2) + 1);
        n = strlen(d);
    } else if (n == 13 && d[0] == '8' && d[1] == '6') {
        memmove(d, d + 2, 12);
        n = 11;
    }
    /* Mainland mobile numbers: ^1[3-9]\d{9}$ */
    if (n != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9')
        return AUTH_PHONE_BAD;
    memcpy(out, "+86", 3);
    memcpy(out + 3, d, 12);
    return AUTH_OK;
}

void auth_token_new(char out[AUTH_TOKEN_LEN + 1])
{
    unsigned char r[32];
    randombytes_buf(r, sizeof r);
    sodium_bin2base64(out, AUTH_TOKEN_LEN + 1, r, sizeof r,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void auth_digest(const char *s, unsigned char out[AUTH_DIGEST_LEN])
{
    crypto_generichash(out, AUTH_DIGEST_LEN, (const unsigned char *)s, strlen(s), NULL, 0);
}

void auth_code_new(char out[7])
{
    uint32_t v = randombytes_uniform(1000000);
    for (int i = 5; i >= 0; i--) {
        out[i] = (char)('0' + v % 10);
        v /= 10;
    }
    out[6] = '\0';
}

int64_t auth_backoff(int64_t failures)
{
    if (failures < 5)
        return 0;
    if (failures - 5 >= 9)
        return 900;
    return (int64_t)1 << (failures - 4) > 900 ? 900 : (int64_t)1 << (failures - 4);
}

int auth_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    return n == strlen(b) && sodium_memcmp(a, b, n) == 0;
}
