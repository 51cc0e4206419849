#include "notify/notify.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "core/buf.h"
#include "core/log.h"
#include "core/metrics.h"
#include "model/story.h"

static const char *env(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v && *v ? v : dflt;
}

int notify_check_env(struct err *err)
{
    const char *mail = env("GAZETTE_MAIL", "outbox"), *sms = env("GAZETTE_SMS", "outbox");

    if (strcmp(mail, "outbox") != 0 && strcmp(mail, "smtp") != 0)
        return err_set(err, GZ_EINVAL, "GAZETTE_MAIL: want outbox or smtp, not '%s'", mail);
    if (strcmp(sms, "outbox") != 0 && strcmp(sms, "http") != 0)
        return err_set(err, GZ_EINVAL, "GAZETTE_SMS: want outbox or http, not '%s'", sms);
    if (strcmp(sms, "http") == 0 && !*env("GAZETTE_SMS_URL", ""))
        return err_set(err, GZ_EINVAL, "GAZETTE_SMS=http needs GAZETTE_SMS_URL (the gateway)");
    return GZ_OK;
}

int notify_outbox_only(void)
{
    return strcmp(env("GAZETTE_MAIL", "outbox"), "outbox") == 0 &&
           strcmp(env("GAZETTE_SMS", "outbox"), "outbox") == 0;
}

struct upload {
    const char *p;
    size_t left;
};

static size_t read_cb(char *ptr, size_t size, size_t nmemb, void *cls)
{
    struct upload *u = cls;
    size_t n = size * nmemb < u->left ? size * nmemb : u->left;
    memcpy(ptr, u->p, n);
    u->p += n;
    u->left -= n;
    return n;
}

/* A header value without CR/LF (they would start a new header). */
static void clean(struct buf *b, const char *s)
{
    for (; *s; s++)
        buf_putc(b, *s == '\r' || *s == '\n' ? ' ' : *s);
}

static int smtp_send(const char *to, const char *subject, const char *body, struct err *err)
{
    const char *from = env("GAZETTE_MAIL_FROM", "gazette@localhost");
    CURL *c = curl_easy_init();
    struct curl_slist *rcpt = NULL;
    struct buf msg;
    struct upload up;
    CURLcode rc;
    char date[64];
    time_t now = time(NULL);
    struct tm tm;

    if (!c)
        return err_set(err, GZ_EIO, "mail: cannot start libcurl");
    gmtime_r(&now, &tm);
    strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
    buf_init(&msg, 0);
    buf_puts(&msg, "Date: ");
    buf_puts(&msg, date);
    buf_puts(&msg, "\r\nFrom: ");
    clean(&msg, from);
    buf_puts(&msg, "\r\nTo: ");
    clean(&msg, to);
    buf_puts(&msg, "\r\nSubject: =?UTF-8?B?");
    {
        char b64[1024];
        size_t sl = strlen(subject) > 600 ? 600 : strlen(subject);
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)subject, sl,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_puts(&msg, b64);
    }
    buf_puts(&msg, "?=\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n");
    buf_puts(&msg, body);
    buf_puts(&msg, "\r\n");
    up.p = msg.data;
    up.left = msg.len;
    rcpt = curl_slist_append(rcpt, to);
    curl_easy_setopt(c, CURLOPT_URL, env("GAZETTE_SMTP_URL", "smtp://127.0.0.1:25"));
    if (getenv("GAZETTE_SMTP_USER")) {
        curl_easy_setopt(c, CURLOPT_USERNAME, getenv("GAZETTE_SMTP_USER"));
        curl_easy_setopt(c, CURLOPT_PASSWORD, env("GAZETTE_SMTP_PASS", ""));
    }
    curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &up);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    rc = curl_easy_perform(c);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    buf_release(&msg);
    if (rc != CURLE_OK)
        return err_set(err, GZ_EIO, "mail to '%s' failed: %s", to, curl_easy_strerror(rc));
    return GZ_OK;
}

static size_t discard(char *ptr, size_t size, size_t nmemb, void *cls)
{
    (void)ptr;
    (void)cls;
    return size * nmemb;
}

static int http_sms(const char *to, const char *text, struct err *err)
{
    const char *url = getenv("GAZETTE_SMS_URL");
    struct buf body, auth;
    CURLcode rc = CURLE_OK;
    long status = 0;

    if (!url)
        return err_set(err, GZ_EIO, "sms: GAZETTE_SMS_URL is not set");
    buf_init(&body, 0);
    buf_init(&auth, 0);
    buf_puts(&body, "{\"to\":");
    json_str(&body, to, strlen(to));
    buf_puts(&body, ",\"text\":");
    json_str(&body, text, strlen(text));
    buf_putc(&body, '}');
    buf_puts(&auth, "Authorization: Bearer ");
    clean(&auth, env("GAZETTE_SMS_TOKEN", ""));
    for (int attempt = 0; attempt < 3; attempt++) {
        CURL *c = curl_easy_init();
        struct curl_slist *h = NULL;
        if (!c)
            break;
        h = curl_slist_append(h, "Content-Type: application/json");
        h = curl_slist_append(h, buf_cstr(&auth));
        curl_easy_setopt(c, CURLOPT_URL, url);
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, buf_cstr(&body));
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body.len);
        curl_easy_setopt(c, CURLOPT_TIMEOUT, 5L);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 3L);
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
        rc = curl_easy_perform(c);
        status = 0;
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
        curl_slist_free_all(h);
        curl_easy_cleanup(c);
        if (rc == CURLE_OK && status >= 200 && status < 300)
            break;
        if (rc == CURLE_OK && status >= 400 && status < 500)
            break; /* the provider refused: retrying will not help */
        usleep((useconds_t)(200000u << attempt));
    }
    buf_release(&body);
    buf_release(&auth);
    if (rc != CURLE_OK)
        return err_set(err, GZ_EIO, "sms to '%s' failed: %s", to, curl_easy_strerror(rc));
    if (status < 200 || status >= 300)
        return err_set(err, GZ_EIO, "sms to '%s' refused: HTTP %ld", to, status);
    return GZ_OK;
}

int notify_mail(struct store *st, const char *to, const char *subject, const char *body,
                int64_t now, struct err *err)
{
    if (strcmp(env("GAZETTE_MAIL", "outbox"), "smtp") == 0) {
        int rc = smtp_send(to, subject, body, err);
        metrics_notify(0, rc == GZ_OK);
        return rc;
    }
    log_info("outbox", "mail to '%s': %s", to, subject);
    return st->ops->outbox_add(st, "mail", to, subject, body, now, err);
}

int notify_sms(struct store *st, const char *to, const char *text, int64_t now, struct err *err)
{
    if (strcmp(env("GAZETTE_SMS", "outbox"), "http") == 0) {
        int rc = http_sms(to, text, err);
        metrics_notify(1, rc == GZ_OK);
        return rc;
    }
    /* Never the text: it holds a sign-in code. */
    log_info("outbox", "sms to '%s' (%zu bytes)", to, strlen(text));
    return st->ops->outbox_add(st, "sms", to, "", text, now, err);
}
