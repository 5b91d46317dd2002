/*
** wire.c — framing and the job and result messages of process isolation.
*/
#include "sandbox/wire.h"
#include "base/time.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Wait until fd is ready for events, or the deadline passes (0: no deadline). */
static int wire_wait(int fd, short events, uint64_t deadline_ns)
{
    struct pollfd p = { fd, events, 0 };

    for (;;) {
        int ms = -1, n;
        if (deadline_ns) {
            uint64_t now = time_mono_ns();
            if (now >= deadline_ns)
                return WIRE_TIMEOUT;
            ms = (int)((deadline_ns - now + 999999) / 1000000);
        }
        n = poll(&p, 1, ms);
        if (n > 0)
            return WIRE_OK;
        if (n < 0 && errno != EINTR)
            return WIRE_EOF;
    }
}

static int wire_io(int fd, char *data, size_t len, int sending, uint64_t deadline_ns)
{
    while (len > 0) {
        ssize_t n;
        int rc = wire_wait(fd, sending ? POLLOUT : POLLIN, deadline_ns);
        if (rc != WIRE_OK)
            return rc;
        n = sending ? send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT)
                    : recv(fd, data, len, MSG_DONTWAIT);
        if (n == 0)
            return WIRE_EOF;
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN)
                continue;
            return WIRE_EOF;
        }
        data += n;
        len -= (size_t)n;
    }
    return WIRE_OK;
}

int wire_send(int fd, int type, const buf *payload, uint64_t deadline_ns)
{
    size_t len = payload ? payload->len : 0;
    char head[5] = { (char)(len & 0xff), (char)(len >> 8 & 0xff), (char)(len >> 16 & 0xff),
                     (char)(len >> 24 & 0xff), (char)type };
    int rc;

    if (len > UINT32_MAX || (payload && payload->oom))
        return WIRE_BAD;
    rc = wire_io(fd, head, sizeof head, 1, deadline_ns);
    return rc == WIRE_OK && len ? wire_io(fd, payload->data, len, 1, deadline_ns) : rc;
}

int wire_recv(int fd, int *type, buf *payload, size_t max, uint64_t deadline_ns)
{
    unsigned char head[5];
    size_t len;
    int rc = wire_io(fd, (char *)head, sizeof head, 0, deadline_ns);

    if (rc != WIRE_OK)
        return rc;
    len = (size_t)head[0] | (size_t)head[1] << 8 | (size_t)head[2] << 16 | (size_t)head[3] << 24;
    *type = head[4];
    buf_clear(payload);
    if (len > max || buf_reserve(payload, len + 1) != AUGUR_OK)
        return WIRE_BAD;
    rc = wire_io(fd, payload->data, len, 0, deadline_ns);
    if (rc == WIRE_OK) {
        payload->len = len;
        payload->data[len] = '\0';
    }
    return rc;
}

/* ---- jobs ------------------------------------------------------------------------------ */

static void wire_str(buf *out, const char *s)
{
    sandbox_wire_bytes(out, s ? s : "", s ? strlen(s) : 0);
}

int wire_job_encode(buf *out, const sandbox_job *job, const sandbox_limits *lim,
                    uint64_t start_ns, const sandbox_cap *caps, size_t ncaps)
{
    const int64_t nums[] = { lim->instructions, lim->memory_bytes, lim->timeout_ms,
                             lim->max_output, lim->max_string, (int64_t)job->seed,
                             (int64_t)start_ns };

    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        sandbox_wire_int(out, nums[i]);
    wire_str(out, job->name);
    buf_putc(out, job->entry != NULL);
    wire_str(out, job->entry);
    sandbox_wire_bytes(out, job->source ? job->source : "", job->len);
    sandbox_value_encode(out, job->args);
    sandbox_wire_int(out, (int64_t)ncaps);
    for (size_t i = 0; i < ncaps; i++) {
        size_t n = 0;
        wire_str(out, caps[i].name);
        buf_putc(out, sandbox_job_allows(job, caps[i].name));
        while (caps[i].fns[n].name)
            n++;
        sandbox_wire_int(out, (int64_t)n);
        for (size_t k = 0; k < n; k++)
            wire_str(out, caps[i].fns[k].name);
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static char *wire_get_str(sandbox_wire *w)
{
    size_t n;
    const char *s = sandbox_wire_get_bytes(w, &n);
    char *copy;

    if (!s || memchr(s, '\0', n) || !(copy = malloc(n + 1))) {
        w->bad = 1;
        return NULL;
    }
    memcpy(copy, s, n);
    copy[n] = '\0';
    return copy;
}

/* A count that cannot exceed the bytes left, since each item takes at least one. */
static size_t wire_get_count(sandbox_wire *w)
{
    int64_t n = sandbox_wire_get_int(w);

    if (n < 0 || (uint64_t)n > w->len - w->pos) {
        w->bad = 1;
        return 0;
    }
    return (size_t)n;
}

static void wire_cap_decode(sandbox_wire *w, sandbox_cap *cap, int *allowed, sandbox_host_fn fn,
                            void *ud)
{
    unsigned char a = 0;
    size_t n;

    cap->name = wire_get_str(w);
    sandbox_wire_take(w, &a, 1);
    *allowed = a;
    n = wire_get_count(w);
    if (w->bad || !(cap->fns = calloc(n + 1, sizeof *cap->fns))) {
        w->bad = 1;
        return;
    }
    for (size_t k = 0; k < n && !w->bad; k++) {
        cap->fns[k].fn = fn;
        cap->fns[k].name = wire_get_str(w);
    }
    cap->ud = ud;
}

int wire_job_decode(const char *data, size_t len, sandbox_host_fn fn, void *ud, wire_job *j)
{
    sandbox_wire w = { data, len, 0, 0 };
    int64_t nums[7];
    unsigned char has_entry = 0;
    size_t nallow = 0, srclen;
    const char *src;

    memset(j, 0, sizeof *j);
    for (size_t i = 0; i < 7; i++)
        nums[i] = sandbox_wire_get_int(&w);
    j->lim = (sandbox_limits){ nums[0], nums[1], nums[2], nums[3], nums[4] };
    j->start_ns = (uint64_t)nums[6];
    j->name = wire_get_str(&w);
    sandbox_wire_take(&w, &has_entry, 1);
    j->entry = wire_get_str(&w);
    src = sandbox_wire_get_bytes(&w, &srclen);
    if (src && (j->source = malloc(srclen + 1))) {
        memcpy(j->source, src, srclen);
        j->source[srclen] = '\0';
    }
    j->args = sandbox_value_decode(&w);
    j->ncaps = wire_get_count(&w);
    if (!w.bad && (j->caps = calloc(j->ncaps + 1, sizeof *j->caps)) &&
        (j->allow = calloc(j->ncaps + 1, sizeof *j->allow))) {
        for (size_t i = 0; i < j->ncaps && !w.bad; i++) {
            int allowed = 0;
            wire_cap_decode(&w, &j->caps[i], &allowed, fn, ud);
            if (allowed && j->caps[i].name)
                j->allow[nallow++] = j->caps[i].name;
        }
    } else {
        w.bad = 1;
    }
    j->job = (sandbox_job){ j->source, srclen, j->name, has_entry ? j->entry : NULL, j->args,
                            (uint64_t)nums[5], &j->lim, SANDBOX_INPROC,
                            (const char *const *)j->allow, nallow };
    if (w.bad || !j->source || !j->name || !j->entry || w.pos != len) {
        wire_job_free(j);
        return AUGUR_EINVAL;
    }
    return AUGUR_OK;
}

void wire_job_free(wire_job *j)
{
    for (size_t i = 0; j->caps && i < j->ncaps; i++) {
        for (size_t k = 0; j->caps[i].fns && j->caps[i].fns[k].name; k++)
            free((char *)j->caps[i].fns[k].name);
        free(j->caps[i].fns);
        free(j->caps[i].name);
    }
    free(j->caps);
    free(j->allow);
    sandbox_value_free(j->args);
    free(j->source);
    free(j->name);
    free(j->entry);
    memset(j, 0, sizeof *j);
}

/* ---- results ------------------------------------------------------------------------------ */

int wire_result_encode(buf *out, const sandbox_result *res)
{
    buf_putc(out, res->ok);
    buf_putc(out, (int)res->kind);
    sandbox_wire_int(out, res->line);
    sandbox_wire_int(out, res->stats.instructions);
    sandbox_wire_int(out, res->stats.peak_bytes);
    sandbox_wire_int(out, (int64_t)(res->stats.wall_ms * 1000));
    buf_putc(out, res->stats.lossy);
    sandbox_value_encode(out, res->value);
    sandbox_wire_bytes(out, res->output ? res->output : "", res->output_len);
    wire_str(out, res->message);
    wire_str(out, res->traceback);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int wire_result_decode(const char *data, size_t len, sandbox_result *res)
{
    sandbox_wire w = { data, len, 0, 0 };
    unsigned char ok = 0, kind = 0, lossy = 0;
    const char *output;
    int64_t line;

    memset(res, 0, sizeof *res);
    sandbox_wire_take(&w, &ok, 1);
    sandbox_wire_take(&w, &kind, 1);
    line = sandbox_wire_get_int(&w);
    res->stats.instructions = sandbox_wire_get_int(&w);
    res->stats.peak_bytes = sandbox_wire_get_int(&w);
    res->stats.wall_ms = (double)sandbox_wire_get_int(&w) / 1000;
    sandbox_wire_take(&w, &lossy, 1);
    res->value = sandbox_value_decode(&w);
    output = sandbox_wire_get_bytes(&w, &res->output_len);
    if (output && (res->output = malloc(res->output_len + 1))) {
        memcpy(res->output, output, res->output_len);
        res->output[res->output_len] = '\0';
    }
    res->message = wire_get_str(&w);
    res->traceback = wire_get_str(&w);
    res->ok = ok == 1;
    res->kind = (sandbox_kind)kind;
    res->line = line > 0 && line < INT32_MAX ? (int)line : 0;
    res->stats.lossy = lossy != 0;
    if (w.bad || w.pos != len || ok > 1 || kind > SANDBOX_EINTERNAL || (ok && kind) ||
        (!ok && !kind) || !res->output || !res->message || !res->traceback) {
        sandbox_result_free(res);
        return AUGUR_EINVAL;
    }
    if (ok) {
        free(res->message);
        res->message = NULL;
    } else {
        sandbox_value_free(res->value);
        res->value = NULL;
    }
    if (!*res->traceback) {
        free(res->traceback);
        res->traceback = NULL;
    }
    return AUGUR_OK;
}
