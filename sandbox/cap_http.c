/*
** cap_http.c — host.http: GET and POST to allowed hosts through libcurl.
**
** Redirects are followed here, not by libcurl, so that every hop's host is checked
** against the allowlist before anything is sent to it. Only http and https are
** spoken; bodies are capped while they arrive; every request ends by the call's
** deadline. libcurl is told never to use signals (CURLOPT_NOSIGNAL). Servers'
** certificates are always verified, against the system's authorities or the
** capability's own (ca_file), and so are the names they are for.
*/
#include "sandbox/caps.h"
#include "base/time.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

enum { HTTP_HEADERS_MAX = 100 };

typedef struct http_cap {
    char  **allow;
    size_t  nallow;
    char   *ca_file;        /* NULL: the system's authorities */
    int64_t max_bytes, timeout_ms;
    int     max_redirects;
} http_cap;

typedef struct http_response {
    buf            body;
    sandbox_value *headers;
    int64_t        max_bytes;
    int            too_big;
} http_response;

static void http_cap_free(void *ud)
{
    http_cap *h = ud;

    for (size_t i = 0; i < h->nallow; i++)
        free(h->allow[i]);
    free(h->allow);
    free(h->ca_file);
    free(h);
}

static int http_host_allowed(const http_cap *h, const char *host)
{
    size_t n = strlen(host);

    for (size_t i = 0; i < h->nallow; i++) {
        const char *a = h->allow[i];
        size_t an = strlen(a);
        if (strcasecmp(a, host) == 0)
            return 1;
        /* "*.example.org" takes any name under example.org, not example.org itself. */
        if (an > 2 && a[0] == '*' && a[1] == '.' && n > an - 1 &&
            strcasecmp(host + n - (an - 1), a + 1) == 0)
            return 1;
    }
    return 0;
}

/* Refuse a URL that is not http(s) or not to an allowed host. */
static int http_check_url(const http_cap *h, const char *url, augur_err *err)
{
    CURLU *u = curl_url();
    char *scheme = NULL, *host = NULL;
    int rc = AUGUR_OK;

    if (!u)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
        curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK)
        rc = augur_err_set(err, AUGUR_EINVAL, "'%s' is not a URL", url);
    else if (strcasecmp(scheme, "http") != 0 && strcasecmp(scheme, "https") != 0)
        rc = augur_err_set(err, AUGUR_EDENIED, "denied: only http and https, not %s", scheme);
    else if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
        rc = augur_err_set(err, AUGUR_EINVAL, "'%s' names no host", url);
    else if (!http_host_allowed(h, host))
        rc = augur_err_set(err, AUGUR_EDENIED, "denied: host '%s' is not in sandbox.http_allow",
                           host);
    curl_free(scheme);
    curl_free(host);
    curl_url_cleanup(u);
    return rc;
}

static size_t http_on_body(char *data, size_t size, size_t n, void *ud)
{
    http_response *r = ud;

    if ((int64_t)(r->body.len + size * n) > r->max_bytes) {
        r->too_big = 1;
        return 0;
    }
    return buf_add(&r->body, data, size * n) == AUGUR_OK ? size * n : 0;
}

/* "Name: value\r\n" into headers, names in lower case; a new response starts afresh. */
static size_t http_on_header(char *data, size_t size, size_t n, void *ud)
{
    http_response *r = ud;
    size_t len = size * n, k;
    char *colon = memchr(data, ':', len);
    const char *v;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        for (size_t i = 0; i < r->headers->n; i++)
            sandbox_value_free(r->headers->items[i]);
        r->headers->n = 0;
        return len;
    }
    if (!colon || r->headers->n >= HTTP_HEADERS_MAX)
        return len;
    k = (size_t)(colon - data);
    for (size_t i = 0; i < k; i++)
        if (data[i] >= 'A' && data[i] <= 'Z')
            data[i] = (char)(data[i] - 'A' + 'a');
    v = colon + 1;
    while (v < data + len && (*v == ' ' || *v == '\t'))
        v++;
    len = (size_t)(data + len - v);
    while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
        len--;
    return sandbox_value_push(r->headers, data, k, sandbox_value_string(v, len)) == AUGUR_OK
               ? size * n : 0;
}

/* Request headers from opts.headers, an object of strings. */
static int http_request_headers(const sandbox_value *opts, struct curl_slist **list,
                                augur_err *err)
{
    const sandbox_value *hs = sandbox_value_get(opts, "headers");

    for (size_t i = 0; hs && hs->type == SANDBOX_OBJECT && i < hs->n; i++) {
        const sandbox_value *h = hs->items[i];
        buf line = BUF_INIT;
        struct curl_slist *next;
        if (h->type != SANDBOX_STRING || memchr(h->str, '\n', h->len) || memchr(h->str, '\r', h->len) ||
            memchr(h->key, ':', h->keylen) || memchr(h->key, '\n', h->keylen) ||
            memchr(h->key, '\r', h->keylen) || !h->keylen)
            return augur_err_set(err, AUGUR_EINVAL, "header '%s' is not a name and a one-line "
                                 "string", h->key);
        buf_printf(&line, "%s: %s", h->key, h->str);
        next = line.oom ? NULL : curl_slist_append(*list, buf_str(&line));
        buf_free(&line);
        if (!next)
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        *list = next;
    }
    return AUGUR_OK;
}

/* One request, no redirects followed; the status and where a redirect points. */
static int http_once(const http_cap *h, const sandbox_call *call, const char *url,
                     const sandbox_value *body, struct curl_slist *headers, http_response *r,
                     long *status, char **location, augur_err *err)
{
    uint64_t now = time_mono_ns();
    int64_t left = call->deadline_ns > now ? (int64_t)((call->deadline_ns - now) / 1000000) : 0;
    CURL *c = curl_easy_init();
    CURLcode cc;
    char *loc = NULL, detail[CURL_ERROR_SIZE] = "";
    int rc = AUGUR_OK;

    if (!c)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (left <= 0)
        left = 1;
    buf_clear(&r->body);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(left < h->timeout_ms ? left : h->timeout_ms));
    curl_easy_setopt(c, CURLOPT_USERAGENT, "augur-sandbox");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, http_on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, http_on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, detail);
    if (h->ca_file) {
        /* These authorities alone, not the system's besides. */
        curl_easy_setopt(c, CURLOPT_CAINFO, h->ca_file);
        curl_easy_setopt(c, CURLOPT_CAPATH, NULL);
    }
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->str);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body->len);
    }
    cc = curl_easy_perform(c);
    if (r->too_big)
        rc = augur_err_set(err, AUGUR_ELIMIT, "the response is larger than %lld bytes",
                           (long long)h->max_bytes);
    else if (cc == CURLE_OPERATION_TIMEDOUT)
        rc = augur_err_set(err, AUGUR_ELIMIT, "%s: timed out", url);
    else if (cc == CURLE_PEER_FAILED_VERIFICATION)
        rc = augur_err_set(err, AUGUR_EIO, "%s: the server's certificate could not be verified "
                           "against %s (%s)", url, h->ca_file ? h->ca_file
                           : "the system's certificate authorities", detail);
    else if (cc != CURLE_OK)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", url, detail[0] ? detail
                           : curl_easy_strerror(cc));
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    if (rc == AUGUR_OK && curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &loc) == CURLE_OK && loc &&
        !(*location = strdup(loc)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    curl_easy_cleanup(c);
    return rc;
}

static int http_result(const char *url, long status, http_response *r, sandbox_value **ret)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_OBJECT);

    if (!v || sandbox_value_push(v, "status", 6, sandbox_value_int(status)) ||
        sandbox_value_push(v, "url", 3, sandbox_value_string(url, strlen(url))) ||
        sandbox_value_push(v, "body", 4, sandbox_value_string(buf_str(&r->body), r->body.len)) ||
        sandbox_value_push(v, "headers", 7, r->headers)) {
        r->headers = NULL;
        sandbox_value_free(v);
        return AUGUR_ENOMEM;
    }
    r->headers = NULL;
    *ret = v;
    return AUGUR_OK;
}

static int http_request(const sandbox_call *call, const sandbox_value *body,
                        const sandbox_value *opts, sandbox_value **ret, augur_err *err)
{
    const http_cap *h = call->ud;
    const sandbox_value *u = call->args->n ? call->args->items[0] : NULL;
    http_response r = { BUF_INIT, sandbox_value_new(SANDBOX_OBJECT), h->max_bytes, 0 };
    struct curl_slist *headers = NULL;
    char *url, *next = NULL;
    long status = 0;
    int rc;

    if (!u || u->type != SANDBOX_STRING || memchr(u->str, '\0', u->len))
        return augur_err_set(err, AUGUR_EINVAL, "argument 1: the URL must be a string");
    if (!(url = strdup(u->str)) || !r.headers) {
        free(url);
        sandbox_value_free(r.headers);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rc = http_request_headers(opts, &headers, err);
    for (int hop = 0; rc == AUGUR_OK; hop++) {
        if ((rc = http_check_url(h, url, err)) != AUGUR_OK)
            break;
        rc = http_once(h, call, url, body, headers, &r, &status, &next, err);
        if (rc != AUGUR_OK || !next || status < 300 || status > 399)
            break;
        if (hop >= h->max_redirects) {
            rc = augur_err_set(err, AUGUR_ELIMIT, "more than %d redirects", h->max_redirects);
            break;
        }
        free(url);
        url = next;
        next = NULL;
        /* As browsers do: a redirected POST becomes a GET, except for 307 and 308. */
        if (status != 307 && status != 308)
            body = NULL;
    }
    if (rc == AUGUR_OK && http_result(url, status, &r, ret) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    curl_slist_free_all(headers);
    sandbox_value_free(r.headers);
    buf_free(&r.body);
    free(url);
    free(next);
    return rc;
}

static int http_get(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    return http_request(call, NULL, call->args->n > 1 ? call->args->items[1] : NULL, ret, err);
}

static int http_post(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const sandbox_value *body = call->args->n > 1 ? call->args->items[1] : NULL;

    if (!body || body->type != SANDBOX_STRING)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: the body must be a string");
    return http_request(call, body, call->args->n > 2 ? call->args->items[2] : NULL, ret, err);
}

int sandbox_http_add(sandbox *sb, const sandbox_http_opts *o, augur_err *err)
{
    static const sandbox_fn fns[] = { { "get", http_get }, { "post", http_post }, { NULL, NULL } };
    http_cap *h = calloc(1, sizeof *h);

    if (!h || !(h->allow = calloc(o->nallow + 1, sizeof *h->allow))) {
        free(h);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    for (; h->nallow < o->nallow; h->nallow++)
        if (!(h->allow[h->nallow] = strdup(o->allow[h->nallow]))) {
            http_cap_free(h);
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        }
    if (o->ca_file && *o->ca_file) {
        if (access(o->ca_file, R_OK) != 0) {
            int rc = augur_err_set(err, AUGUR_EIO, "certificate authorities file '%s': %s",
                                   o->ca_file, strerror(errno));
            http_cap_free(h);
            return rc;
        }
        if (!(h->ca_file = strdup(o->ca_file))) {
            http_cap_free(h);
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        }
    }
    h->max_bytes = o->max_bytes;
    h->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 1;
    h->max_redirects = o->max_redirects;
    return sandbox_capability_add(sb, "http", fns, h, http_cap_free, err);
}
