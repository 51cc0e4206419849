/*
 * notify.h: sending mail and SMS through a driver chosen at start-up.
 *   mail: "outbox" (default: stored in the database, listed at /dev/outbox, logged) or "smtp"
 *         (libcurl; GAZETTE_SMTP_URL smtp[s]://host:port, GAZETTE_SMTP_USER, GAZETTE_SMTP_PASS,
 *         GAZETTE_MAIL_FROM).
 *   sms:  "outbox" (default) or "http" (a JSON POST {"to","text"} to GAZETTE_SMS_URL with
 *         "Authorization: Bearer GAZETTE_SMS_TOKEN", 5 s timeout, 3 tries with back-off).
 * Drivers come from GAZETTE_MAIL and GAZETTE_SMS.
 */
#ifndef GZ_NOTIFY_NOTIFY_H
#define GZ_NOTIFY_NOTIFY_H

#include <stdint.h>

#include "core/gz.h"
#include "store/store.h"

int notify_mail(struct store *st, const char *to, const char *subject, const char *body,
                int64_t now, struct err *err);
int notify_sms(struct store *st, const char *to, const char *text, int64_t now,
               struct err *err);
/* GZ_EINVAL, naming the variable, unless GAZETTE_MAIL and GAZETTE_SMS are unset, empty or name
 * a driver above, and GAZETTE_SMS=http comes with GAZETTE_SMS_URL: a typo must not leave
 * messages in the outbox unsent. */
int notify_check_env(struct err *err);
/* 1 when the outbox page may be shown (both drivers are the outbox). */
int notify_outbox_only(void);

#endif
