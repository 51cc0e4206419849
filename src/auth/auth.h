/*
 * auth.h: the pure parts of reader accounts: password hashing (Argon2id via libsodium,
 * t=2, 19 MiB, p=1: OWASP's minimum), password rules, random tokens and their hashes,
 * mainland-China phone numbers, e-mail and username checks, 6-digit codes, back-off.
 * Nothing here touches the store or the network.
 */
#ifndef GZ_AUTH_AUTH_H
#define GZ_AUTH_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "core/gz.h"

#define AUTH_HASH_MAX 128   /* >= crypto_pwhash_STRBYTES */
#define AUTH_TOKEN_LEN 43   /* 32 random bytes, base64url without padding */
#define AUTH_DIGEST_LEN 32  /* BLAKE2b-256 of a token */
#define AUTH_PHONE_MAX 16   /* "+86" + 11 digits + NUL */
#define AUTH_PW_MIN 8
#define AUTH_PW_MAX 128     /* bytes */

enum auth_problem {
    AUTH_OK = 0,
    AUTH_PW_SHORT,
    AUTH_PW_LONG,
    AUTH_PW_COMMON,
    AUTH_PW_LIKE_NAME,
    AUTH_EMAIL_BAD,
    AUTH_USERNAME_BAD,
    AUTH_PHONE_BAD,
    AUTH_PHONE_FOREIGN,
};

/* Hash pw into out (NUL-terminated). GZ_EIO if memory for Argon2 cannot be had. */
int auth_password_hash(const char *pw, char out[AUTH_HASH_MAX]);
/* 1 when pw matches hash (constant time inside libsodium), else 0. A NULL or empty hash
 * (no such account) costs the same time as a real check and fails. */
int auth_password_verify(const char *hash, const char *pw);
/* Rules for a new password: 8..128 bytes, not in the shipped list of common passwords, not
 * the username or the e-mail's local part. */
enum auth_problem auth_password_check(const char *pw, const char *username, const char *email);
enum auth_problem auth_email_check(const char *email);
/* 3..32 characters: ASCII letters, digits, '_', '-', '.', or CJK ideographs; no '@'. */
enum auth_problem auth_username_check(const char *name);
/* Accepts "13812345678", "138 1234 5678", "+86 138-1234-5678", "0086…", "86…"; writes
 * "+8613812345678". AUTH_PHONE_FOREIGN for another country code, AUTH_PHONE_BAD otherwise. */
enum auth_problem auth_phone_parse(const char *in, char out[AUTH_PHONE_MAX]);

/* A new random token (base64url, AUTH_TOKEN_LEN chars + NUL). */
void auth_token_new(char out[AUTH_TOKEN_LEN + 1]);
/* BLAKE2b-256 of s: what the store keeps instead of the secret. */
void auth_digest(const char *s, unsigned char out[AUTH_DIGEST_LEN]);
/* A uniformly random 6-digit code, "000000".."999999". */
void auth_code_new(char out[7]);
/* Seconds to wait after failures recent failed attempts: none for the first 5, then 2, 4, 8 …
 * up to 15 minutes. */
int64_t auth_backoff(int64_t failures);
/* Constant-time string equality. */
int auth_equal(const char *a, const char *b);

#endif
