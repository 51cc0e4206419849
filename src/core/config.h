/*
 * config.h: the optional settings file (`gazette serve --config FILE`). One
 * setting per line, `name = value`, names as the long flags without "--"; `#`
 * starts a comment line; blank lines are skipped; a value may be written in
 * double quotes (kept verbatim inside). Each setting goes to set(); any problem
 * is reported as "FILE:LINE: problem".
 */
#ifndef GZ_CORE_CONFIG_H
#define GZ_CORE_CONFIG_H

#include "core/gz.h"

/* set() returns GZ_OK, or an error code with err->msg saying what is wrong with
 * the value (config_load prefixes the file and line). */
typedef int (*config_set_fn)(void *ctx, const char *name, const char *value, struct err *err);

int config_load(const char *path, config_set_fn set, void *ctx, struct err *err);
/* "true", "yes", "on", "1" → 1; "false", "no", "off", "0" → 0; -1 otherwise. */
int config_bool(const char *v);

#endif
