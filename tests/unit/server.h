/*
** server.h — a web server on loopback for the tests and the benchmarks that talk
** HTTP: libmicrohttpd on a free port of 127.0.0.1, a thread per connection.
*/
#ifndef AUGUR_TEST_SERVER_H
#define AUGUR_TEST_SERVER_H

#include <stddef.h>
#include <microhttpd.h>

/* Each request's body is gathered, then answer(ctx, conn, url, body, len) queues
** the reply (body is NUL-terminated). Set answer and ctx, start it (0 on success),
** stop it at the end. */
typedef enum MHD_Result test_answer_fn(void *ctx, struct MHD_Connection *conn, const char *url,
                                       const char *body, size_t len);

typedef struct test_server {
    test_answer_fn    *answer;
    void              *ctx;
    struct MHD_Daemon *daemon;
    int                port;
} test_server;

int  test_server_start(test_server *s);
void test_server_stop(test_server *s);

#endif
