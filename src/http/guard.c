#include "http/guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/gz.h"
#include "http/http.h"

/* deadline and in_body are written only by the connection's MHD thread and read by
 * guard_sweep(); body_bytes and large belong to the MHD thread alone. in_body is stored before
 * deadline, so a sweep that sees a body deadline also sees in_body set. */
struct track {
    struct track *prev, *next;
    int fd;
    unsigned char range[GUARD_RANGE_KEY_LEN]; /* family byte + /24 or /64 prefix */
    _Atomic long deadline;   /* monotonic seconds; 0 while a request is being handled */
    _Atomic int in_body;     /* the deadline is a body's (a cut-off gets a 408) */
    _Atomic int body_cut;    /* guard_sweep() cut this body off */
    size_t body_bytes;       /* of a large body, since its deadline last moved */
    int large;               /* the body is held to the minimum rate */
    int shut;
};

struct range_count {
    unsigned char key[GUARD_RANGE_KEY_LEN];
    int n;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct track *head;
static struct range_count ranges[HTTP_CONN_MAX + 64];
static size_t n_ranges;
static int cap;

static long now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long)ts.tv_sec;
}

static int range_key(const struct sockaddr *sa, unsigned char key[GUARD_RANGE_KEY_LEN])
{
    memset(key, 0, GUARD_RANGE_KEY_LEN);
    if (sa && sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        key[0] = 4;
        memcpy(key + 1, &in->sin_addr, 3); /* /24 */
        return 1;
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) { /* ::ffff:a.b.c.d is a.b.c.d */
            key[0] = 4;
            memcpy(key + 1, in6->sin6_addr.s6_addr + 12, 3);
            return 1;
        }
        key[0] = 6;
        memcpy(key + 1, &in6->sin6_addr, 8); /* /64 */
        return 1;
    }
    return 0;
}

void guard_range_of(const char *ip, unsigned char key[GUARD_RANGE_KEY_LEN])
{
    struct sockaddr_in in;
    struct sockaddr_in6 in6;

    memset(&in, 0, sizeof in);
    memset(&in6, 0, sizeof in6);
    in.sin_family = AF_INET;
    in6.sin6_family = AF_INET6;
    if (ip && inet_pton(AF_INET, ip, &in.sin_addr) == 1)
        range_key((const struct sockaddr *)(const void *)&in, key);
    else if (ip && inet_pton(AF_INET6, ip, &in6.sin6_addr) == 1)
        range_key((const struct sockaddr *)(const void *)&in6, key);
    else
        memset(key, 0, GUARD_RANGE_KEY_LEN);
}

/* Under lock. */
static struct range_count *range_find(const unsigned char key[GUARD_RANGE_KEY_LEN])
{
    for (size_t i = 0; i < n_ranges; i++)
        if (memcmp(ranges[i].key, key, GUARD_RANGE_KEY_LEN) == 0)
            return &ranges[i];
    return NULL;
}

void guard_init(int range_cap)
{
    pthread_mutex_lock(&lock);
    cap = range_cap;
    n_ranges = 0;
    head = NULL;
    pthread_mutex_unlock(&lock);
}

enum MHD_Result guard_accept(void *cls, const struct sockaddr *addr, socklen_t len)
{
    unsigned char key[GUARD_RANGE_KEY_LEN];
    struct range_count *rc;
    int ok = 1;

    (void)cls;
    (void)len;
    if (cap <= 0 || !range_key(addr, key))
        return MHD_YES;
    pthread_mutex_lock(&lock);
    rc = range_find(key);
    ok = !rc || rc->n < cap;
    pthread_mutex_unlock(&lock);
    return ok ? MHD_YES : MHD_NO;
}

void guard_notify(struct MHD_Connection *conn, void **socket_context,
                  enum MHD_ConnectionNotificationCode code)
{
    struct track *t = *socket_context;

    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fd =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        const union MHD_ConnectionInfo *ca =
                MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        t = xcalloc(1, sizeof *t);
        t->fd = fd ? fd->connect_fd : -1;
        atomic_store(&t->deadline, now_s() + HTTP_HEAD_DEADLINE_S);
        pthread_mutex_lock(&lock);
        if (ca && range_key(ca->client_addr, t->range)) {
            struct range_count *rc = range_find(t->range);
            if (!rc && n_ranges < GZ_NELEM(ranges)) {
                rc = &ranges[n_ranges++];
                memcpy(rc->key, t->range, sizeof rc->key);
                rc->n = 0;
            }
            if (rc)
                rc->n++;
        }
        t->next = head;
        if (head)
            head->prev = t;
        head = t;
        pthread_mutex_unlock(&lock);
        *socket_context = t;
        return;
    }
    if (code != MHD_CONNECTION_NOTIFY_CLOSED || !t)
        return;
    /* MHD tells CLOSED before it closes the socket: once t is off the list under the lock,
     * guard_sweep() can no longer touch a file descriptor that is being reused. */
    pthread_mutex_lock(&lock);
    if (t->range[0]) {
        struct range_count *rc = range_find(t->range);
        if (rc && --rc->n <= 0)
            *rc = ranges[--n_ranges];
    }
    if (t->prev)
        t->prev->next = t->next;
    else
        head = t->next;
    if (t->next)
        t->next->prev = t->prev;
    pthread_mutex_unlock(&lock);
    free(t);
    *socket_context = NULL;
}

static struct track *of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

void guard_head_done(struct MHD_Connection *conn)
{
    struct track *t = of(conn);
    if (!t)
        return;
    t->large = 0;
    t->body_bytes = 0;
    atomic_store(&t->body_cut, 0);
    atomic_store(&t->in_body, 1);
    atomic_store(&t->deadline, now_s() + HTTP_BODY_DEADLINE_S);
}

void guard_body_large(struct MHD_Connection *conn)
{
    struct track *t = of(conn);
    if (t)
        t->large = 1;
}

void guard_body_progress(struct MHD_Connection *conn, size_t n)
{
    struct track *t = of(conn);
    long next;

    if (!t || !t->large)
        return;
    t->body_bytes += n;
    if (t->body_bytes < HTTP_BODY_MIN_BYTES)
        return;
    /* The deadline only moves out, and never more than one window past now: bytes sent fast
     * earn no credit for trickling later. */
    t->body_bytes = 0;
    next = now_s() + HTTP_BODY_MIN_WINDOW_S;
    if (next > atomic_load(&t->deadline))
        atomic_store(&t->deadline, next);
}

void guard_body_done(struct MHD_Connection *conn)
{
    struct track *t = of(conn);
    if (t)
        atomic_store(&t->deadline, 0);
}

int guard_body_cut(struct MHD_Connection *conn)
{
    struct track *t = of(conn);
    return t ? atomic_load(&t->body_cut) : 0;
}

void guard_request_done(struct MHD_Connection *conn)
{
    struct track *t = of(conn);
    if (!t)
        return;
    atomic_store(&t->in_body, 0);
    atomic_store(&t->deadline, now_s() + HTTP_HEAD_DEADLINE_S);
}

/* A client that started a request gets told why it ends. Nothing else writes to the socket
 * while MHD reads a body (a "100 Continue" went out right after the head), and the fd stays
 * open while its track is on the list (guard_notify), so writing here is safe. */
#define TIMEOUT_BODY "the request body came too slowly; retry\n"
_Static_assert(sizeof TIMEOUT_BODY - 1 == 40, "Content-Length below");

static void send_timeout(int fd)
{
    static const char msg[] = "HTTP/1.1 408 Request Timeout\r\n"
                              "Connection: close\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "X-Content-Type-Options: nosniff\r\n"
                              "Content-Length: 40\r\n"
                              "\r\n" TIMEOUT_BODY;
    ssize_t n = send(fd, msg, sizeof msg - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
    (void)n; /* best effort: the socket is shut down either way */
}

int guard_sweep(void)
{
    long now = now_s();
    int n = 0;

    pthread_mutex_lock(&lock);
    for (struct track *t = head; t; t = t->next) {
        long d = atomic_load(&t->deadline);
        if (d && now >= d && !t->shut && t->fd >= 0) {
            if (atomic_load(&t->in_body)) {
                atomic_store(&t->body_cut, 1);
                send_timeout(t->fd);
            }
            shutdown(t->fd, SHUT_RDWR);
            t->shut = 1;
            n++;
        }
    }
    pthread_mutex_unlock(&lock);
    return n;
}
