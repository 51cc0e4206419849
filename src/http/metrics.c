/* metrics.c: /metrics in the Prometheus text format, served by a separate
 * libmicrohttpd daemon on --metrics-listen only (one internal thread; the
 * site's address never answers it). */
#include "core/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "http/http_int.h"

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
                              const char *method, const char *version, const char *upload_data,
                              size_t *upload_data_size, void **con_cls)
{
    struct MHD_Response *resp;
    struct buf b;
    enum MHD_Result ret;
    unsigned status = 200;
    size_t len;
    char *body;

    (void)cls;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    buf_init(&b, 0);
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        buf_puts(&b, "method not allowed\n");
        status = 405;
    } else if (strcmp(url, "/metrics") != 0) {
        buf_puts(&b, "not found: try /metrics\n");
        status = 404;
    } else {
        metrics_render(&b);
    }
    body = buf_take(&b, &len);
    resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            status == 200 ? "text/plain; version=0.0.4; charset=utf-8"
                                          : "text/plain; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

int metrics_server_start(struct app *app, struct err *err)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    char host[INET_ADDRSTRLEN];

    if (http_parse_listen(app->metrics_listen, &sa) != GZ_OK)
        return err_set(err, GZ_EINVAL, "bad --metrics-listen '%s': want HOST:PORT (IPv4)",
                       app->metrics_listen);
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0,
                         NULL, NULL, answer, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT, 10u,
                         MHD_OPTION_END);
    if (!d)
        return err_set(err, GZ_EIO, "cannot listen for metrics on '%s' (address in use?)",
                       app->metrics_listen);
    app->metrics_daemon = d;
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    printf("metrics on http://%s:%u/metrics\n", host, info ? info->port : 0);
    fflush(stdout);
    return GZ_OK;
}

void metrics_server_stop(struct app *app)
{
    if (app->metrics_daemon)
        MHD_stop_daemon(app->metrics_daemon);
    app->metrics_daemon = NULL;
}
