/*
 * guard.h: slow-client defences libmicrohttpd 0.9.75 does not have (finding 4).
 *  - A header deadline: a request's head (request line and headers) must arrive whole within
 *    HTTP_HEAD_DEADLINE_S of the connection opening or of the previous response ending,
 *    however slowly the bytes trickle in (MHD's idle timeout restarts with every byte).
 *    guard_sweep() shuts such sockets down; MHD then closes them.
 *  - A body deadline: once the head is in, a body of at most HTTP_BODY_MAX (every form or
 *    JSON body of a reader or a visitor) must arrive whole within HTTP_BODY_DEADLINE_S.
 *    Bodies allowed to be larger (a signed-in editor's form or upload, up to 200 MB) are held
 *    to a minimum rate instead: every HTTP_BODY_MIN_BYTES within HTTP_BODY_MIN_WINDOW_S of
 *    the previous ones, the first within HTTP_BODY_DEADLINE_S of the head. A body cut off is
 *    answered 408 (written straight to the socket: MHD 0.9.75 cannot queue a response while
 *    it reads a body), then the socket is shut down.
 *  - A cap per address range (IPv4 /24, IPv6 /64) on open connections, on top of MHD's cap
 *    per address, so many addresses of one network cannot take every connection slot.
 *    Behind a trusted proxy every connection comes from the proxy, so the range cap is off.
 * Thread-safe: the MHD threads call the hooks; the main thread calls guard_sweep().
 */
#ifndef GZ_HTTP_GUARD_H
#define GZ_HTTP_GUARD_H

#include <sys/socket.h>

#include <microhttpd.h>

#define GUARD_RANGE_KEY_LEN 17 /* a family byte (4 or 6), then the /24 or /64 prefix */

void guard_init(int range_cap); /* range_cap <= 0: no cap per range */
/* The range of the textual address ip (IPv4, IPv6, IPv4-mapped IPv6) as a key, the one the
 * cap per range counts by. NULL or an address that does not parse: all zeros (one range for
 * every such client). */
void guard_range_of(const char *ip, unsigned char key[GUARD_RANGE_KEY_LEN]);
/* MHD accept policy: MHD_NO when the client's range holds range_cap connections already. */
enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t len);
/* MHD_NOTIFY_CONNECTION: track a connection from start to close (socket_context). */
void guard_notify(struct MHD_Connection *conn, void **socket_context,
                  enum MHD_ConnectionNotificationCode code);
/* The request head of conn arrived (the access handler's first call): the body deadline
 * starts now. */
void guard_head_done(struct MHD_Connection *conn);
/* conn's body may be large: hold it to the minimum rate rather than the deadline. */
void guard_body_large(struct MHD_Connection *conn);
/* n more bytes of conn's body arrived. */
void guard_body_progress(struct MHD_Connection *conn, size_t n);
/* conn's request is whole, or was answered before its body: no deadline while it is handled
 * and answered (MHD's idle timeout still applies). */
void guard_body_done(struct MHD_Connection *conn);
/* 1 when guard_sweep() cut conn's request body off (the request is logged as a 408). */
int guard_body_cut(struct MHD_Connection *conn);
/* A request on conn ended: the next head's deadline starts now. */
void guard_request_done(struct MHD_Connection *conn);
/* Shut down connections past their head or body deadline. Returns how many. */
int guard_sweep(void);

#endif
