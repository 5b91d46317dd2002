/*
** toml_conform.c — runs a toml-test decoder over the TOML 1.0 cases of toml-test.
**
**     toml-conform DECODER
**
** Each valid case must decode (exit 0) to tagged JSON equal to the case's .json;
** each invalid case must be refused (exit 1) with a message that names a line.
** The cases come from $AUGUR_FIXTURES/toml-test (default ../shared/fixtures). The
** last line printed is "N passed, N failed", with ", N skipped" when the fixtures
** are missing; AUGUR_REQUIRE_FIXTURES=1 makes missing fixtures a failure.
*/
#include "base/buf.h"
#include "base/file.h"
#include "base/json.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

enum { CONFORM_TIMEOUT_S = 10, CONFORM_OUTPUT_MAX = 64 << 20 };

typedef struct decoded {
    int status;     /* from waitpid */
    buf out, err;
} decoded;

/* Run decoder with the file at path on its stdin; collect stdout and stderr. */
static int conform_run(const char *decoder, const char *path, decoded *d)
{
    int out[2], err[2];
    pid_t pid;

    memset(d, 0, sizeof *d);
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)
        return -1;
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int in = open(path, O_RDONLY);
        if (in < 0 || dup2(in, 0) < 0 || dup2(out[1], 1) < 0 || dup2(err[1], 2) < 0)
            _exit(127);
        alarm(CONFORM_TIMEOUT_S);   /* kept across exec: a hung decoder dies */
        execl(decoder, decoder, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    struct pollfd fds[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
    buf *sinks[2] = { &d->out, &d->err };
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            char chunk[65536];
            ssize_t n;
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0 && sinks[i]->len < CONFORM_OUTPUT_MAX) {
                buf_add(sinks[i], chunk, (size_t)n);
            } else if (n <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
            }
        }
    }
    for (int i = 0; i < 2; i++)
        if (fds[i].fd >= 0)
            close(fds[i].fd);
    while (waitpid(pid, &d->status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

static void decoded_free(decoded *d)
{
    buf_free(&d->out);
    buf_free(&d->err);
}

/* ---- comparing tagged JSON ------------------------------------------------ */

typedef struct when {
    int has_date, has_time, has_offset;
    int y, mo, d, h, mi, s, ms, offset;
} when;

/* An RFC 3339 date, time or date-time as toml-test writes them. */
static int when_parse(const char *s, when *w)
{
    int n = 0;

    memset(w, 0, sizeof *w);
    if (sscanf(s, "%4d-%2d-%2d%n", &w->y, &w->mo, &w->d, &n) == 3 && n == 10) {
        w->has_date = 1;
        s += n;
        if (!*s)
            return 0;
        if (*s != 'T' && *s != 't' && *s != ' ')
            return -1;
        s++;
    }
    if (sscanf(s, "%2d:%2d:%2d%n", &w->h, &w->mi, &w->s, &n) != 3 || n != 8)
        return -1;
    w->has_time = 1;
    s += n;
    if (*s == '.') {
        int digits = 0;
        for (s++; *s >= '0' && *s <= '9'; s++, digits++)
            if (digits < 3)
                w->ms = w->ms * 10 + (*s - '0');
        for (; digits < 3; digits++)
            w->ms *= 10;
    }
    if (*s == 'Z' || *s == 'z') {
        w->has_offset = 1;
        s++;
    } else if (*s == '+' || *s == '-') {
        int oh, om;
        if (sscanf(s + 1, "%2d:%2d%n", &oh, &om, &n) != 2 || n != 5)
            return -1;
        w->has_offset = 1;
        w->offset = (*s == '-' ? -1 : 1) * (oh * 60 + om);
        s += 6;
    }
    return *s ? -1 : 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar. */
static long days_from_civil(long y, int m, int d)
{
    y -= m <= 2;
    long era = (y >= 0 ? y : y - 399) / 400;
    long yoe = y - era * 400;
    long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int same_when(const char *got, const char *want)
{
    when g, w;

    if (when_parse(got, &g) != 0 || when_parse(want, &w) != 0)
        return 0;
    if (g.has_date != w.has_date || g.has_time != w.has_time || g.has_offset != w.has_offset)
        return 0;
    if (g.has_offset) {
        long long a = (days_from_civil(g.y, g.mo, g.d) * 86400LL + g.h * 3600 + g.mi * 60 + g.s -
                       g.offset * 60) * 1000 + g.ms;
        long long b = (days_from_civil(w.y, w.mo, w.d) * 86400LL + w.h * 3600 + w.mi * 60 + w.s -
                       w.offset * 60) * 1000 + w.ms;
        return a == b;
    }
    return g.y == w.y && g.mo == w.mo && g.d == w.d && g.h == w.h && g.mi == w.mi &&
           g.s == w.s && g.ms == w.ms;
}

static int same_number(const char *type, const char *got, const char *want)
{
    char *e1, *e2;

    if (strcmp(type, "integer") == 0) {
        errno = 0;
        long long a = strtoll(got, &e1, 10), b = strtoll(want, &e2, 10);
        return !errno && !*e1 && !*e2 && a == b;
    }
    double a = strtod(got, &e1), b = strtod(want, &e2);
    return !*e1 && !*e2 && (a == b || (isnan(a) && isnan(b)));
}

static int is_tagged(const cJSON *v)
{
    return cJSON_IsObject(v) && cJSON_GetArraySize(v) == 2 &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "type")) &&
           cJSON_IsString(cJSON_GetObjectItemCaseSensitive(v, "value"));
}

static int same_tagged(const cJSON *got, const cJSON *want, buf *why)
{
    const char *gt = cJSON_GetObjectItemCaseSensitive(got, "type")->valuestring;
    const char *wt = cJSON_GetObjectItemCaseSensitive(want, "type")->valuestring;
    const char *gv = cJSON_GetObjectItemCaseSensitive(got, "value")->valuestring;
    const char *wv = cJSON_GetObjectItemCaseSensitive(want, "value")->valuestring;
    int same;

    if (strcmp(gt, wt) != 0) {
        buf_printf(why, "type %s, want %s", gt, wt);
        return 0;
    }
    if (strcmp(wt, "integer") == 0 || strcmp(wt, "float") == 0)
        same = same_number(wt, gv, wv);
    else if (strncmp(wt, "date", 4) == 0 || strcmp(wt, "time-local") == 0)
        same = same_when(gv, wv);
    else
        same = strcmp(gv, wv) == 0;
    if (!same)
        buf_printf(why, "%s %s, want %s", wt, gv, wv);
    return same;
}

static int same_json(const cJSON *got, const cJSON *want, buf *why)
{
    const cJSON *w;
    int i = 0;

    if (is_tagged(want)) {
        if (!is_tagged(got)) {
            buf_puts(why, "a table or array where a value was expected");
            return 0;
        }
        return same_tagged(got, want, why);
    }
    if (cJSON_IsObject(want) != cJSON_IsObject(got) || cJSON_IsArray(want) != cJSON_IsArray(got) ||
        cJSON_GetArraySize(want) != cJSON_GetArraySize(got)) {
        buf_printf(why, "%d entries, want %d", cJSON_GetArraySize(got), cJSON_GetArraySize(want));
        return 0;
    }
    cJSON_ArrayForEach(w, want) {
        const cJSON *g = cJSON_IsObject(want) ? cJSON_GetObjectItemCaseSensitive(got, w->string)
                                              : cJSON_GetArrayItem(got, i);
        i++;
        if (!g) {
            buf_printf(why, "missing key '%s'", w->string);
            return 0;
        }
        if (!same_json(g, w, why)) {
            if (cJSON_IsObject(want))
                buf_printf(why, " (in '%s')", w->string);
            return 0;
        }
    }
    return 1;
}

/* ---- the cases ---------------------------------------------------------------- */

static int conform_valid(const char *decoder, const char *dir, const char *name, buf *why)
{
    buf toml = BUF_INIT, json = BUF_INIT;
    augur_err err = { 0 };
    cJSON *got = NULL, *want = NULL;
    decoded d;
    char *text;
    size_t len;
    int ok = 0;

    buf_printf(&toml, "%s/%s", dir, name);
    buf_printf(&json, "%s/%.*s.json", dir, (int)strlen(name) - 5, name);
    if (conform_run(decoder, buf_str(&toml), &d) != 0) {
        buf_printf(why, "could not run %s", decoder);
    } else if (!WIFEXITED(d.status) || WEXITSTATUS(d.status) != 0) {
        buf_printf(why, "refused: %.300s", buf_str(&d.err));
    } else if (file_read(buf_str(&json), 1 << 24, &text, &len, &err) != AUGUR_OK) {
        buf_puts(why, err.msg);
    } else {
        want = json_parse(text, len, buf_str(&json), &err);
        free(text);
        got = json_parse(buf_str(&d.out), d.out.len, "decoder output", &err);
        if (!want || !got)
            buf_puts(why, err.msg);
        else
            ok = same_json(got, want, why);
    }
    cJSON_Delete(got);
    cJSON_Delete(want);
    decoded_free(&d);
    buf_free(&toml);
    buf_free(&json);
    return ok;
}

static int conform_invalid(const char *decoder, const char *dir, const char *name, buf *why)
{
    buf toml = BUF_INIT;
    regex_t names_line;
    decoded d;
    int ok = 0, rc;

    buf_printf(&toml, "%s/%s", dir, name);
    rc = conform_run(decoder, buf_str(&toml), &d);
    buf_free(&toml);
    if (rc != 0) {
        buf_printf(why, "could not run %s", decoder);
        return 0;
    }
    regcomp(&names_line, ":[0-9]+:([0-9]+:)? ", REG_EXTENDED | REG_NOSUB);
    if (WIFSIGNALED(d.status))
        buf_printf(why, "decoder died of signal %d", WTERMSIG(d.status));
    else if (WEXITSTATUS(d.status) == 0)
        buf_puts(why, "accepted");
    else if (WEXITSTATUS(d.status) != 1)
        buf_printf(why, "exit status %d, want 1", WEXITSTATUS(d.status));
    else if (regexec(&names_line, buf_str(&d.err), 0, NULL, 0) != 0)
        buf_printf(why, "the message names no line: %.200s", buf_str(&d.err));
    else
        ok = 1;
    regfree(&names_line);
    decoded_free(&d);
    return ok;
}

int main(int argc, char **argv)
{
    const char *fixtures = getenv("AUGUR_FIXTURES");
    const char *require = getenv("AUGUR_REQUIRE_FIXTURES");
    int required = require && strcmp(require, "1") == 0;
    int passed[2] = { 0, 0 }, failed[2] = { 0, 0 };
    buf dir = BUF_INIT, list = BUF_INIT;
    char line[4096];
    FILE *f;

    if (argc != 2) {
        fprintf(stderr, "usage: toml-conform DECODER\n");
        return 2;
    }
    buf_printf(&dir, "%s/toml-test", fixtures && *fixtures ? fixtures : "../shared/fixtures");
    buf_printf(&list, "%s/files-toml-1.0.0", buf_str(&dir));
    f = fopen(buf_str(&list), "r");
    buf_free(&list);
    if (!f) {
        printf("toml-test: %s: no fixtures at %s (set AUGUR_FIXTURES)\n",
               required ? "FAILED" : "skipped", buf_str(&dir));
        buf_free(&dir);
        printf(required ? "0 passed, 1 failed\n" : "0 passed, 0 failed, 1 skipped\n");
        return required ? 1 : 0;
    }
    while (fgets(line, sizeof line, f)) {
        size_t n = strcspn(line, "\r\n");
        int invalid;
        buf why = BUF_INIT;

        line[n] = '\0';
        if (n < 6 || strcmp(line + n - 5, ".toml") != 0)
            continue;
        invalid = strncmp(line, "invalid/", 8) == 0;
        if (invalid ? conform_invalid(argv[1], buf_str(&dir), line, &why)
                    : conform_valid(argv[1], buf_str(&dir), line, &why)) {
            passed[invalid]++;
        } else {
            failed[invalid]++;
            printf("FAIL %s: %s\n", line, buf_str(&why));
        }
        buf_free(&why);
    }
    fclose(f);
    buf_free(&dir);
    printf("toml-test (TOML 1.0): %d/%d valid, %d/%d invalid\n", passed[0], passed[0] + failed[0],
           passed[1], passed[1] + failed[1]);
    printf("%d passed, %d failed\n", passed[0] + passed[1], failed[0] + failed[1]);
    return failed[0] + failed[1] ? 1 : 0;
}
