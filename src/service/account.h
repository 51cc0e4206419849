/*
 * account.h: reader account flows (service layer). Each flow is one function that runs its
 * reads and writes in ONE store transaction: either all of its writes are committed or none
 * is, and it answers success only after the commit. Password hashing and sending mail or SMS
 * happen outside the transaction (they are slow and cannot be rolled back); a message is only
 * sent once the state it refers to is committed.
 * Results: every flow returns a struct acct_out the compiler will not let a caller ignore.
 * out.rc is GZ_OK or a GZ_E* code (GZ_EINVAL bad input, GZ_EAUTH not signed in or wrong
 * credentials, GZ_ECONFLICT taken, GZ_ELIMIT throttled with retry_after, GZ_EFULL disk full,
 * GZ_EBUSY database busy, GZ_ESEND provider refused, GZ_EDB anything else); src/http maps it
 * to a status once (http/status.c) and presents error/field/code.
 * Parameters: sessions 12 h (renewed by a remember-me cookie of 30 days, split token:
 * selector + verifier, only a hash of the verifier stored, rotated on every use; the previous
 * verifier stays good for REMEMBER_GRACE_S after a rotation, for a browser that restores
 * several tabs at once; an older verifier revokes the whole series); reset links 30 min,
 * single use, at most 5 requests an hour per client and 3 per account; SMS codes 6 digits,
 * 5 min, 5 attempts, hashed; SMS sends per number and per client at most 1 a minute, 5 an
 * hour, 10 a day; code checks per client back off after 10 failures; sign-in failures back
 * off per account+client (2, 4, 8 s … up to 15 min after 5 failures in 15 minutes) and per
 * client; the account as a whole only ever waits ACCOUNT_WAIT_MAX_S, so nobody can lock an
 * owner out; registration at most 10 an hour per client.
 */
#ifndef GZ_SERVICE_ACCOUNT_H
#define GZ_SERVICE_ACCOUNT_H

#include <stdint.h>

#include "auth/auth.h"
#include "core/gz.h"
#include "render/render.h"
#include "store/store.h"

#define ACCT_SESSION_S          (12 * 3600)
#define ACCT_REMEMBER_S         (30 * 86400)
#define ACCT_REMEMBER_GRACE_S   20
#define ACCT_ACCOUNT_WAIT_MAX_S 5

/* Who is asking: the client's address and user agent (both may be ""). Borrowed. */
struct acct_client {
    const char *ip;
    const char *ua;
};

/* A flow's outcome. error/field/code say what to show when rc != GZ_OK. */
struct acct_out {
    int rc;
    enum msg error;    /* MSG_NONE when ok */
    const char *field; /* the field at fault, or NULL (static string) */
    const char *code;  /* machine-readable error for the API (static string) */
    int64_t user_id;
    int64_t retry_after; /* seconds, with GZ_ELIMIT (and after an SMS was sent) */
    int needs_bind;      /* a phone-only account was created or used */
    struct err err;      /* detail for the log when rc is a server-side failure */
};

/* The cookies a sign-in (or a recognised remember-me cookie) sets. */
struct acct_session {
    int64_t user_id;
    int64_t session_id;
    char sid[AUTH_TOKEN_LEN + 1];              /* gz_sid value; "" when none is new */
    char remember[2 * AUTH_TOKEN_LEN + 2];     /* gz_rm value; "" when unchanged */
    unsigned char sid_digest[AUTH_DIGEST_LEN]; /* digest of the session token in use */
    int font_size;                             /* 0 when unset */
    double rate;                               /* 0 when unset */
    int forget;                                /* clear gz_sid and gz_rm */
};

/* Sign in with e-mail or username and password; on success the session is created in the
 * same transaction (remember: also a remember-me series). OUT: *sess. */
GZ_MUST_CHECK struct acct_out acct_login(struct store *st, const struct acct_client *cl,
                                         const char *login, const char *password, int remember,
                                         struct acct_session *sess);
/* Create an account and sign it in, all or nothing. */
GZ_MUST_CHECK struct acct_out acct_register(struct store *st, const struct acct_client *cl,
                                            const char *email, const char *username,
                                            const char *password, int agree,
                                            struct acct_session *sess);
/* Store a new SMS code for phone (throttled) and send it. site: the site's name. */
GZ_MUST_CHECK struct acct_out acct_phone_send(struct store *st, const struct acct_client *cl,
                                              const char *site, const char *phone);
/* Check a code. Signed in (uid > 0): bind the number. Otherwise sign in to the number's
 * account or, with agree, create one. Never tells a registered number from another before the
 * code is right. OUT: *sess when a sign-in happened (sess->user_id > 0). */
GZ_MUST_CHECK struct acct_out acct_phone_verify(struct store *st, const struct acct_client *cl,
                                                int64_t uid, const char *phone, const char *code,
                                                int agree, struct acct_session *sess);
/* A phone-only account uid gives itself an e-mail and password, or merges into the account
 * that owns the e-mail once that password is verified (throttled like sign-in). OUT: *sess
 * when the reader is now another account. */
GZ_MUST_CHECK struct acct_out acct_bind(struct store *st, const struct acct_client *cl, int64_t uid,
                                        const char *email, const char *password,
                                        struct acct_session *sess);
/* Mail a reset link (same answer whether or not the account exists). */
GZ_MUST_CHECK struct acct_out acct_forgot(struct store *st, const struct acct_client *cl,
                                          const char *site, const char *base_url,
                                          const char *email);
/* Spend a reset token and set the password; ends every session of the account. */
GZ_MUST_CHECK struct acct_out acct_reset(struct store *st, const struct acct_client *cl,
                                         const char *token, const char *password);
/* End this session (selector: of the remember-me cookie, or NULL) or, everywhere, all. */
GZ_MUST_CHECK struct acct_out acct_sign_out(struct store *st, const struct acct_client *cl,
                                            int64_t uid, const unsigned char *sid_digest,
                                            const char *selector, int everywhere);
/* The reader behind the cookies (either may be NULL). OUT: *sess (user_id 0 when nobody;
 * sid/remember set when a remember-me cookie started a new session; forget when the cookies
 * must go). */
GZ_MUST_CHECK struct acct_out acct_identify(struct store *st, const struct acct_client *cl,
                                            const char *sid_cookie, const char *rm_cookie,
                                            struct acct_session *sess);
/* The bound number of uid, when it can be unbound. OUT: phone. */
GZ_MUST_CHECK struct acct_out acct_bound_phone(struct store *st, int64_t uid,
                                               char phone[AUTH_PHONE_MAX]);
/* Check the code sent to uid's number and unbind it. */
GZ_MUST_CHECK struct acct_out acct_unbind_phone(struct store *st, const struct acct_client *cl,
                                                int64_t uid, const char *code);
/* Reading preferences: font_size 0 (or outside 1..5) and rate 0 (or outside 0.5..2) leave
 * that one as it is. Only these columns are written, so nothing else of the account changes. */
GZ_MUST_CHECK struct acct_out acct_prefs(struct store *st, int64_t uid, int font_size, double rate);
/* End one of uid's sessions by id. */
GZ_MUST_CHECK struct acct_out acct_revoke(struct store *st, const struct acct_client *cl,
                                          int64_t uid, int64_t session_id);

#endif
