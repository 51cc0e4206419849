/*
 * clock.h: wall-clock seconds for expiry and rate limits. Tests control it: when the
 * environment variable GAZETTE_CLOCK_FILE names a file at start-up, its number (seconds, may
 * be negative) is added to the real time, re-read on every call, so an integration test can
 * move the server's clock forward by writing the file.
 */
#ifndef GZ_CORE_CLOCK_H
#define GZ_CORE_CLOCK_H

#include <stdint.h>

int64_t clock_now(void);

#endif
