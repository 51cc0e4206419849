/*
 * log.h: one line per event on stderr: `2026-11-28T10:00:00Z WARN store message`.
 * Log once, where an error is handled. Never log secrets or request bodies.
 */
#ifndef GZ_CORE_LOG_H
#define GZ_CORE_LOG_H

#include "core/gz.h"

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

void log_set_level(enum log_level lvl);
/* 1: each line is a JSON object {"time","level","module","msg"} instead of text. */
void log_set_json(int json);
/* "debug", "info", "warn", "error" → *lvl; GZ_EINVAL otherwise. */
int log_level_parse(const char *name, enum log_level *lvl);
void log_msg(enum log_level lvl, const char *mod, const char *fmt, ...) GZ_PRINTF(3, 4);
/* As log_msg, whatever the level set: for what an operator must see even at --log-level
 * error (start-up warnings that mail or SMS are not delivered). */
void log_always(enum log_level lvl, const char *mod, const char *fmt, ...) GZ_PRINTF(3, 4);
#define log_info(mod, ...) log_msg(LOG_INFO, mod, __VA_ARGS__)
#define log_warn(mod, ...) log_msg(LOG_WARN, mod, __VA_ARGS__)
#define log_error(mod, ...) log_msg(LOG_ERROR, mod, __VA_ARGS__)
#define log_debug(mod, ...) log_msg(LOG_DEBUG, mod, __VA_ARGS__)

#endif
