/*
 * accesslog.h: one line per request (time, client, method, path with secret
 * query values redacted, status, body bytes, microseconds, request id), as text
 * or JSON, to stderr or a file opened with O_APPEND (each line is one write).
 * accesslog_reopen() (on SIGHUP) opens the file again after rotation and swaps
 * it in with dup2(), so writers never see a closed descriptor.
 */
#ifndef GZ_HTTP_ACCESSLOG_H
#define GZ_HTTP_ACCESSLOG_H

#include <stdint.h>

#include "core/gz.h"

struct req;

/* path NULL or "-": stderr. json: one JSON object per line. */
int accesslog_open(const char *path, int json, struct err *err);
int accesslog_reopen(struct err *err);
void accesslog_close(void);
/* Log r, answered with status after micros. bytes < 0: unknown. */
void accesslog_write(struct req *r, int status, int64_t bytes, uint64_t micros);
/* A fresh request id (16 hex digits), or the trusted proxy's X-Request-Id when
 * valid. */
void accesslog_request_id(struct req *r, char out[65]);
/* 1 for query keys whose values never reach a log (token, code, password, ...).
 */
int accesslog_secret_key(const char *key);

#endif
