/* server.c — the loopback web server behind server.h. */
#include "tests/unit/server.h"
#include "base/buf.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>

static enum MHD_Result test_server_request(void *cls, struct MHD_Connection *conn,
                                           const char *url, const char *method,
                                           const char *version, const char *upload,
                                           size_t *upload_size, void **state)
{
    test_server *s = cls;
    buf *body = *state;

    (void)method;
    (void)version;
    if (!body) {
        *state = body = calloc(1, sizeof *body);
        return body ? MHD_YES : MHD_NO;
    }
    if (*upload_size) {
        buf_add(body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    return s->answer(s->ctx, conn, url, buf_str(body), body->len);
}

static void test_server_done(void *cls, struct MHD_Connection *conn, void **state,
                             enum MHD_RequestTerminationCode why)
{
    buf *body = *state;

    (void)cls;
    (void)conn;
    (void)why;
    if (body) {
        buf_free(body);
        free(body);
    }
}

int test_server_start(test_server *s)
{
    struct sockaddr_in loopback = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    const union MHD_DaemonInfo *info;

    s->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                                 0, NULL, NULL, test_server_request, s,
                                 MHD_OPTION_NOTIFY_COMPLETED, test_server_done, NULL,
                                 MHD_OPTION_SOCK_ADDR, &loopback, MHD_OPTION_END);
    if (!s->daemon || !(info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT)))
        return -1;
    s->port = info->port;
    return 0;
}

void test_server_stop(test_server *s)
{
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    s->daemon = NULL;
}
