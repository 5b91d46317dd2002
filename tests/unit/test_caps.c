/*
** test_caps.c — host.fs, host.http and host.kv, in both isolation modes, against real
** files and a real HTTP server on loopback (libmicrohttpd).
*/
#include "test.h"

#include "agent/sandbox_conf.h"
#include "base/file.h"
#include "sandbox/caps.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static sandbox_config defaults;
static char *scratch;
static struct MHD_Daemon *server, *tls_server;
static int port, tls_port;
static int hello_hits;
static char ca_file[4096];

/* ---- the server ------------------------------------------------------------------------ */

typedef struct post_body {
    buf data;
} post_body;

static enum MHD_Result serve_text(struct MHD_Connection *conn, unsigned status, const char *text,
                                  size_t len, const char *location)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, (void *)text,
                                                             MHD_RESPMEM_MUST_COPY);
    enum MHD_Result rc;

    MHD_add_response_header(r, "X-Test", "yes");
    if (location)
        MHD_add_response_header(r, "Location", location);
    rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result serve(void *cls, struct MHD_Connection *conn, const char *url,
                             const char *method, const char *version, const char *upload,
                             size_t *upload_size, void **state)
{
    post_body *body = *state;
    char loc[256];

    (void)cls;
    (void)version;
    if (!body) {
        *state = body = calloc(1, sizeof *body);
        return MHD_YES;
    }
    if (*upload_size) {
        buf_add(&body->data, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (strcmp(url, "/hello") == 0) {
        hello_hits++;
        return serve_text(conn, 200, "hi there", 8, NULL);
    }
    if (strcmp(url, "/echo") == 0) {
        char *text;
        size_t n = (size_t)asprintf(&text, "%s %s", method, buf_str(&body->data));
        enum MHD_Result rc = serve_text(conn, 200, text, n, NULL);
        free(text);
        return rc;
    }
    if (strcmp(url, "/header") == 0) {
        const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Ask");
        return serve_text(conn, 200, v ? v : "none", v ? strlen(v) : 4, NULL);
    }
    if (strcmp(url, "/redirect-in") == 0)
        return serve_text(conn, 302, "", 0, "/hello");
    if (strcmp(url, "/redirect-post") == 0)
        return serve_text(conn, 303, "", 0, "/echo");
    if (strcmp(url, "/redirect-out") == 0) {
        snprintf(loc, sizeof loc, "http://localhost:%d/hello", port);
        return serve_text(conn, 302, "", 0, loc);
    }
    if (strcmp(url, "/redirect") == 0) {
        const char *to = MHD_lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, "to");
        return serve_text(conn, 302, "", 0, to ? to : "/");
    }
    if (strcmp(url, "/loop") == 0)
        return serve_text(conn, 302, "", 0, "/loop");
    if (strcmp(url, "/big") == 0) {
        static char big[100000];
        memset(big, 'b', sizeof big);
        return serve_text(conn, 200, big, sizeof big, NULL);
    }
    if (strcmp(url, "/slow") == 0) {
        usleep(1500 * 1000);
        return serve_text(conn, 200, "late", 4, NULL);
    }
    return serve_text(conn, 404, "no", 2, NULL);
}

static void served(void *cls, struct MHD_Connection *conn, void **state,
                   enum MHD_RequestTerminationCode why)
{
    post_body *body = *state;

    (void)cls;
    (void)conn;
    (void)why;
    if (body) {
        buf_free(&body->data);
        free(body);
    }
}

/* ---- set-up ------------------------------------------------------------------------------- */

/* Run openssl with args in the scratch folder; fails the set-up when it fails. */
static int openssl(const char *const *args)
{
    char *argv[24] = { "/usr/bin/openssl" };
    buf out = BUF_INIT, err = BUF_INIT;
    int rc, n = 1;

    for (; args[n - 1]; n++)
        argv[n] = (char *)args[n - 1];
    argv[n] = NULL;
    rc = test_run(argv, NULL, &out, &err);
    if (rc != 0)
        fprintf(stderr, "openssl %s: exit %d: %s\n", args[0], rc, buf_str(&err));
    buf_free(&out);
    buf_free(&err);
    return rc;
}

/* A certificate authority of the test's own and a certificate it signed for the
** loopback server (127.0.0.1 and localhost), made now: nothing secret is kept. */
static int make_certificates(char **key, char **cert)
{
    char ca_key[4096], csr[4096], server_key[4096], server_pem[4096], ext[4096];
    const char *const make_ca[] = {
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", ca_key, "-out", ca_file, "-days", "2", "-subj", "/CN=augur test CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", NULL,
    };
    const char *const make_csr[] = {
        "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", server_key, "-out", csr, "-subj", "/CN=127.0.0.1", NULL,
    };
    const char *const sign[] = {
        "x509", "-req", "-in", csr, "-CA", ca_file, "-CAkey", ca_key, "-set_serial", "2",
        "-days", "2", "-extfile", ext, "-out", server_pem, NULL,
    };
    augur_err err = { 0 };
    size_t len;
    char *path;

    snprintf(ca_key, sizeof ca_key, "%s/ca.key", scratch);
    snprintf(ca_file, sizeof ca_file, "%s/ca.pem", scratch);
    snprintf(csr, sizeof csr, "%s/server.csr", scratch);
    snprintf(server_key, sizeof server_key, "%s/server.key", scratch);
    snprintf(server_pem, sizeof server_pem, "%s/server.pem", scratch);
    path = test_write(scratch, "server.ext", "basicConstraints=CA:FALSE\n"
                      "keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n"
                      "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    snprintf(ext, sizeof ext, "%s", path);
    free(path);
    if (openssl(make_ca) || openssl(make_csr) || openssl(sign))
        return -1;
    return file_read(server_key, 1 << 16, key, &len, &err) == AUGUR_OK &&
           file_read(server_pem, 1 << 16, cert, &len, &err) == AUGUR_OK ? 0 : -1;
}

static int setup(void **state)
{
    augur_err err = { 0 };
    const union MHD_DaemonInfo *info;
    struct sockaddr_in loopback = { .sin_family = AF_INET,
                                    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    char *key = NULL, *cert = NULL;
    config *c;

    (void)state;
    if (config_new(&c, &err) != AUGUR_OK || sandbox_conf_read(c, &defaults, &err) != AUGUR_OK)
        return -1;
    config_free(c);
    scratch = test_tmpdir();
    server = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION,
                              0, NULL, NULL, serve, NULL, MHD_OPTION_NOTIFY_COMPLETED, served,
                              NULL, MHD_OPTION_SOCK_ADDR, &loopback, MHD_OPTION_END);
    if (!server || !(info = MHD_get_daemon_info(server, MHD_DAEMON_INFO_BIND_PORT)))
        return -1;
    port = info->port;
    /* The same server over TLS (libmicrohttpd speaks it through GnuTLS). */
    if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        fprintf(stderr, "libmicrohttpd was built without TLS\n");
        return -1;
    }
    if (make_certificates(&key, &cert) != 0)
        return -1;
    tls_server = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                                  MHD_USE_TLS, 0, NULL, NULL, serve, NULL,
                                  MHD_OPTION_HTTPS_MEM_KEY, key, MHD_OPTION_HTTPS_MEM_CERT, cert,
                                  MHD_OPTION_NOTIFY_COMPLETED, served, NULL,
                                  MHD_OPTION_SOCK_ADDR, &loopback, MHD_OPTION_END);
    free(key);
    free(cert);
    if (!tls_server || !(info = MHD_get_daemon_info(tls_server, MHD_DAEMON_INFO_BIND_PORT)))
        return -1;
    tls_port = info->port;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    MHD_stop_daemon(server);
    MHD_stop_daemon(tls_server);
    test_rmtree(scratch);
    free(scratch);
    return 0;
}

/* A sandbox with fs (under root), http (trusting ca, NULL: the system's authorities)
** and kv. */
static sandbox *open_caps_ca(sandbox_isolation iso, const char *root, const char *ca)
{
    static const char *const allow[] = { "127.0.0.1", "*.example.test" };
    sandbox_http_opts http = { allow, 2, 1000, 300, 3, ca };
    sandbox_config cfg = defaults;
    augur_err err = { 0 };
    char kv[4096];
    sandbox *sb;

    cfg.isolation = iso;
    snprintf(kv, sizeof kv, "%s/kv/store.json", scratch);
    if (sandbox_new(&sb, &cfg, &err) != AUGUR_OK || sandbox_fs_add(sb, root, 1000, &err) ||
        sandbox_http_add(sb, &http, &err) || sandbox_kv_add(sb, kv, 200, &err))
        fail_msg("%s", err.msg);
    return sb;
}

static sandbox *open_caps(sandbox_isolation iso, const char *root)
{
    return open_caps_ca(iso, root, NULL);
}

/* Run src with fs, http and kv allowed; the result as JSON. */
static char *run(sandbox *sb, const char *src)
{
    static const char *const allow[] = { "fs", "http", "kv" };
    sandbox_job job = { .source = src, .len = strlen(src), .allow = allow, .nallow = 3 };
    augur_err err = { 0 };
    sandbox_result res;
    buf out = BUF_INIT;

    if (sandbox_run(sb, &job, &res, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    sandbox_result_write(&out, &res);
    sandbox_result_free(&res);
    return buf_take(&out);
}

#define expect_run(sb, src, want)                                                  \
    do {                                                                            \
        char *json_ = run((sb), (src));                                             \
        assert_contains(json_, (want));                                             \
        free(json_);                                                                \
    } while (0)

static const sandbox_isolation modes[] = { SANDBOX_INPROC, SANDBOX_PROCESS };

/* ---- fs ----------------------------------------------------------------------------------- */

static void test_fs(void **state)
{
    char root[2048], outside[4096], link[4096];

    (void)state;
    snprintf(root, sizeof root, "%s/ws", scratch);
    mkdir(root, 0777);
    free(test_write(root, "a.txt", "alpha"));
    free(test_write(scratch, "secret.txt", "outside"));
    snprintf(outside, sizeof outside, "%s/secret.txt", scratch);
    snprintf(link, sizeof link, "%s/up", root);
    assert_int_equal(symlink("..", link), 0);
    snprintf(link, sizeof link, "%s/in", root);
    assert_int_equal(symlink("a.txt", link), 0);
    snprintf(link, sizeof link, "%s/sub", root);
    mkdir(link, 0777);
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_caps(modes[m], root);
        snprintf(link, sizeof link, "%s/out", root);
        unlink(link);
        assert_int_equal(symlink(outside, link), 0);
        expect_run(sb, "return host.fs.read('a.txt'), host.fs.read('in')", "[\"alpha\", \"alpha\"]");
        expect_run(sb, "return host.fs.write('sub/b.txt', 'beta'), host.fs.read('sub/b.txt')",
                   "[true, \"beta\"]");
        expect_run(sb, "return host.fs.list()", "[\"a.txt\", \"in\", \"out\", \"sub\", \"up\"]");
        expect_run(sb, "return host.fs.list('sub')", "[\"b.txt\"]");
        expect_run(sb, "return host.fs.read('out')", "\"kind\": \"denied\"");
        expect_run(sb, "return host.fs.read('up/secret.txt')", "\"kind\": \"denied\"");
        expect_run(sb, "return host.fs.read('../secret.txt')", "leaves the workspace");
        expect_run(sb, "return host.fs.read('sub/../../secret.txt')", "\"kind\": \"denied\"");
        expect_run(sb, "return host.fs.write('/tmp/x', 'y')", "is absolute");
        expect_run(sb, "return host.fs.write('out', 'overwritten')", "\"ok\": true");
        expect_run(sb, "return host.fs.write('up/secret.txt', 'y')", "\"kind\": \"denied\"");
        expect_run(sb, "return host.fs.list('up')", "\"kind\": \"denied\"");
        expect_run(sb, "return host.fs.read('missing')", "'missing' does not exist");
        expect_run(sb, "return host.fs.read('sub')", "is not a regular file");
        expect_run(sb, "return host.fs.write('big', ('x'):rep(1001))", "more than the 1000");
        expect_run(sb, "return host.fs.read('a.txt\\0x')", "non-empty text");
        expect_run(sb, "return host.fs.read(42)", "must be a string");
        sandbox_free(sb);
    }
    {
        char *text = NULL;
        size_t len;
        augur_err err = { 0 };
        /* The symlink was replaced, not followed: the file outside is untouched. */
        assert_int_equal(file_read(outside, 100, &text, &len, &err), AUGUR_OK);
        assert_string_equal(text, "outside");
        free(text);
    }
}

/* ---- http ---------------------------------------------------------------------------------- */

static void test_http(void **state)
{
    char src[512];

    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_caps(modes[m], scratch);
        int hits;
#define HTTP(fmt) (snprintf(src, sizeof src, fmt, port, port), src)
        expect_run(sb, HTTP("local r = host.http.get('http://127.0.0.1:%d/hello') "
                            "return r.status, r.body, r.headers['x-test'], %d"),
                   "[200, \"hi there\", \"yes\",");
        expect_run(sb, HTTP("return host.http.post('http://127.0.0.1:%d/echo', 'payload').body, %d"),
                   "\"POST payload\"");
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/header', "
                            "{headers = {['X-Ask'] = 'asked'}}).body, %d"), "\"asked\"");
        expect_run(sb, HTTP("local r = host.http.get('http://127.0.0.1:%d/redirect-in') "
                            "return r.body, r.url, %d"), "[\"hi there\", \"http://127.0.0.1:");
        expect_run(sb, HTTP("return host.http.post('http://127.0.0.1:%d/redirect-post', 'x').body, %d"),
                   "\"GET \"");
        hits = hello_hits;
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/redirect-out'), %d"),
                   "host 'localhost' is not in sandbox.http_allow");
        assert_int_equal(hello_hits, hits);
        expect_run(sb, HTTP("return host.http.get('http://localhost:%d/hello'), %d"),
                   "\"kind\": \"denied\"");
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/loop'), %d"),
                   "more than 3 redirects");
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/big'), %d"),
                   "larger than 1000 bytes");
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/slow'), %d"), "timed out");
        expect_run(sb, "return host.http.get('file:///etc/passwd')", "only http and https");
        expect_run(sb, "return host.http.get('ftp://127.0.0.1/')", "only http and https");
        expect_run(sb, "return host.http.get('not a url')", "is not a URL");
        expect_run(sb, "return host.http.get('http://a.example.test.evil.org/')",
                   "\"kind\": \"denied\"");
        expect_run(sb, HTTP("return host.http.get('http://127.0.0.1:%d/header', "
                            "{headers = {['X-Ask'] = 'a\\r\\nX-Evil: 1'}}), %d"),
                   "is not a name and a one-line string");
#undef HTTP
        sandbox_free(sb);
    }
}

/* ---- https --------------------------------------------------------------------------------- */

static void test_https(void **state)
{
    char src[512];

    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_caps_ca(modes[m], scratch, ca_file), *system = open_caps(modes[m], scratch);
        int hits;
#define URL(fmt) (snprintf(src, sizeof src, fmt, tls_port, port, tls_port), src)
        /* Trusting the test's authority, the request goes through; on the system's,
        ** the server's certificate is refused before anything is sent. */
        expect_run(sb, URL("local r = host.http.get('https://127.0.0.1:%d/hello') "
                           "return r.status, r.body, r.url, %d, %d"),
                   "[200, \"hi there\", \"https://127.0.0.1:");
        expect_run(sb, URL("return host.http.post('https://127.0.0.1:%d/echo', 'sealed').body, %d, %d"),
                   "\"POST sealed\"");
        hits = hello_hits;
        expect_run(system, URL("return host.http.get('https://127.0.0.1:%d/hello'), %d, %d"),
                   "the server's certificate could not be verified against the system's "
                   "certificate authorities (SSL certificate problem: unable to get local issuer "
                   "certificate)");
        assert_int_equal(hello_hits, hits);
        /* http to https and back, each hop's host checked against the allowlist. */
        expect_run(sb, URL("local r = host.http.get('https://127.0.0.1:%d/redirect?to="
                           "http://127.0.0.1:%d/hello') return r.body, r.url, %d"),
                   "[\"hi there\", \"http://127.0.0.1:");
        expect_run(sb, URL("local r = host.http.get('http://127.0.0.1:%2$d/redirect?to="
                           "https://127.0.0.1:%1$d/hello') return r.body, r.url, %3$d"),
                   "[\"hi there\", \"https://127.0.0.1:");
        hits = hello_hits;
        expect_run(sb, URL("return host.http.get('https://127.0.0.1:%d/redirect?to="
                           "https://localhost:%d/hello'), %d"),
                   "host 'localhost' is not in sandbox.http_allow");
        expect_run(sb, URL("return host.http.get('http://127.0.0.1:%2$d/redirect?to="
                           "https://localhost:%1$d/hello'), %3$d"),
                   "host 'localhost' is not in sandbox.http_allow");
        expect_run(sb, URL("return host.http.get('https://127.0.0.1:%d/redirect?to="
                           "http://localhost:%d/hello'), %d"),
                   "\"kind\": \"denied\"");
        expect_run(sb, URL("return host.http.get('https://127.0.0.1:%d/redirect?to="
                           "ftp://127.0.0.1:%d/hello'), %d"),
                   "only http and https, not ftp");
        assert_int_equal(hello_hits, hits);
        /* Redirects followed to the trusted server still verify it: not on the system's. */
        expect_run(system, URL("return host.http.get('http://127.0.0.1:%2$d/redirect?to="
                               "https://127.0.0.1:%1$d/hello'), %3$d"),
                   "could not be verified");
        assert_int_equal(hello_hits, hits);
#undef URL
        sandbox_free(sb);
        sandbox_free(system);
    }
}

/* An authorities file that cannot be read is refused when the capability is added. */
static void test_https_ca_missing(void **state)
{
    static const char *const allow[] = { "127.0.0.1" };
    sandbox_http_opts http = { allow, 1, 1000, 300, 3, "/nonexistent/ca.pem" };
    augur_err err = { 0 };
    sandbox *sb;

    (void)state;
    assert_int_equal(sandbox_new(&sb, &defaults, &err), AUGUR_OK);
    assert_int_equal(sandbox_http_add(sb, &http, &err), AUGUR_EIO);
    assert_string_equal(err.msg, "certificate authorities file '/nonexistent/ca.pem': No such "
                                 "file or directory");
    sandbox_free(sb);
}

/* ---- kv ------------------------------------------------------------------------------------- */

static void test_kv(void **state)
{
    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_caps(modes[m], scratch);
        expect_run(sb, "host.kv.set('b', 'two') host.kv.set('a', 'one') return host.kv.keys()",
                   "[\"a\", \"b\"]");
        expect_run(sb, "return host.kv.get('a'), host.kv.get('zz')", "[\"one\", null]");
        expect_run(sb, "host.kv.set('a', nil) return host.kv.keys()", "[\"b\"]");
        expect_run(sb, "return host.kv.set('c', ('x'):rep(300))", "would exceed 200 bytes");
        expect_run(sb, "return host.kv.get('b')", "\"result\": \"two\"");
        expect_run(sb, "return host.kv.set('', 'x')", "a key is a string");
        expect_run(sb, "return host.kv.set('k', {})", "a value is UTF-8 text");
        expect_run(sb, "host.kv.set('b', nil) return host.kv.keys()", "\"result\": []");
        sandbox_free(sb);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fs),
        cmocka_unit_test(test_http),
        cmocka_unit_test(test_https),
        cmocka_unit_test(test_https_ca_missing),
        cmocka_unit_test(test_kv),
    };
    return cmocka_run_group_tests_name("caps", tests, setup, teardown);
}
