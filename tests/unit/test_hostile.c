/*
** test_hostile.c — the hostile corpus (tests/sandbox/hostile, one .lua file per
** attack) in both isolation modes.
**
** Each script starts with comment lines that say what must happen:
**     -- expect: KIND          the error kind (or "ok")
**     -- limits: key=N ...     instructions, memory_mb, timeout_ms, max_output, max_string
**     -- no budget: KIND key=N ...
**                              run it again without an instruction budget, with these
**                              limits changed besides, and expect KIND
**     -- allow: test           expose the corpus's own capability (host.test.*)
** A script's first argument is a folder holding canary.txt ("intact"), which it may
** try to reach. After every run the canary must be untouched, a plain run must still
** work, and (outside sanitizer builds, whose allocator keeps its own books) the
** host's heap must be back where it was.
*/
#include "test.h"

#include "agent/sandbox_conf.h"
#include "base/file.h"
#include "base/json.h"
#include "base/time.h"

#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_COUNTED 0
#else
#define HEAP_COUNTED 1
#endif

#define CORPUS "tests/sandbox/hostile"

/* What the C library's allocator may keep in its caches after a run; a run that
** leaked even one Lua state would hold more. */
enum { HEAP_SLACK = 64 * 1024 };

/* One way a script is run: under which limits, with what outcome. */
typedef struct variant {
    sandbox_limits lim;
    char           expect[32];
} variant;

typedef struct script {
    char    *name, *source;
    size_t   len;
    variant  runs[2];           /* with the budget, and without when runs[1].expect is set */
    int      allow_test;
} script;

static sandbox *sandboxes[2];
static char *canary_dir;
static sandbox_value *args;

/* host.test.sleep(ms): a host call that blocks, up to its deadline at most. */
static int corpus_sleep(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const sandbox_value *ms = call->args->n ? call->args->items[0] : NULL;
    uint64_t until = time_mono_ns() + (ms && ms->type == SANDBOX_INT ? (uint64_t)ms->integer : 0) *
                                          1000000u;

    (void)ret;
    (void)err;
    if (until > call->deadline_ns)
        until = call->deadline_ns;
    while (time_mono_ns() < until)
        usleep(1000);
    return AUGUR_OK;
}

/* host.test.echo(...): the arguments back, as the host received them. */
static int corpus_echo(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    buf b = BUF_INIT;

    (void)err;
    sandbox_value_write(&b, call->args, NULL);
    *ret = sandbox_value_string(buf_str(&b), b.len);
    buf_free(&b);
    return AUGUR_OK;
}

/* Apply "key=N ..." to lim. */
static void parse_limits(const char *name, char *list, sandbox_limits *lim)
{
    for (char *save = NULL, *kv = strtok_r(list, " ", &save); kv; kv = strtok_r(NULL, " ", &save)) {
        long long v = 0;
        char key[32];
        if (sscanf(kv, "%31[^=]=%lld", key, &v) != 2)
            fail_msg("%s: bad limit '%s'", name, kv);
        if (strcmp(key, "instructions") == 0) lim->instructions = v;
        else if (strcmp(key, "memory_mb") == 0) lim->memory_bytes = v << 20;
        else if (strcmp(key, "timeout_ms") == 0) lim->timeout_ms = v;
        else if (strcmp(key, "max_output") == 0) lim->max_output = v;
        else if (strcmp(key, "max_string") == 0) lim->max_string = v;
        else fail_msg("%s: unknown limit '%s'", name, key);
    }
}

static void parse_header(script *s, const sandbox_limits *defaults)
{
    const char *p = s->source;
    char no_budget[256] = "";
    int n = 0;

    s->runs[0].lim = *defaults;
    while (strncmp(p, "-- ", 3) == 0) {
        const char *end = strchr(p, '\n');
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)(end ? end - p : (long)strlen(p)), p);
        if (sscanf(line, "-- expect: %31s", s->runs[0].expect) == 1) {
        } else if (strncmp(line, "-- allow: test", 14) == 0) {
            s->allow_test = 1;
        } else if (strncmp(line, "-- limits:", 10) == 0) {
            parse_limits(s->name, line + 10, &s->runs[0].lim);
        } else if (sscanf(line, "-- no budget: %31s %n", s->runs[1].expect, &n) == 1) {
            snprintf(no_budget, sizeof no_budget, "%s", line + n);
        }
        if (!end)
            break;
        p = end + 1;
    }
    if (!s->runs[0].expect[0])
        fail_msg("%s: no '-- expect:' line", s->name);
    s->runs[1].lim = s->runs[0].lim;
    s->runs[1].lim.instructions = 0;
    parse_limits(s->name, no_budget, &s->runs[1].lim);
}

static void check_host_intact(sandbox *sb)
{
    static const char plain[] = "return 6 * 7";
    sandbox_job job = { .source = plain, .len = sizeof plain - 1 };
    augur_err err = { 0 };
    sandbox_result res;
    char *text = NULL;
    size_t len;

    char path[4096];

    snprintf(path, sizeof path, "%s/canary.txt", canary_dir);
    assert_int_equal(file_read(path, 64, &text, &len, &err), AUGUR_OK);
    assert_string_equal(text, "intact\n");
    free(text);
    assert_int_equal(sandbox_run(sb, &job, &res, &err), AUGUR_OK);
    assert_true(res.ok);
    assert_int_equal(res.value->integer, 42);
    sandbox_result_free(&res);
}

static void run_script(void **state)
{
    script *s = *state;
    static const char *const allow[] = { "test" };

    for (int v = 0; v < 2 && s->runs[v].expect[0]; v++) {
        for (int m = 0; m < 2; m++) {
            const variant *r = &s->runs[v];
            sandbox_job job = { .source = s->source, .len = s->len, .name = s->name,
                                .args = args, .limits = &r->lim, .allow = allow,
                                .nallow = s->allow_test };
            const char *how = m ? (v ? "process, no budget" : "process")
                                : (v ? "inproc, no budget" : "inproc");
            augur_err err = { 0 };
            sandbox_result res;
            size_t before = mallinfo2().uordblks, after;
            const char *kind;

            assert_int_equal(sandbox_run(sandboxes[m], &job, &res, &err), AUGUR_OK);
            kind = res.ok ? "ok" : sandbox_kind_name(res.kind);
            if (strcmp(kind, r->expect) != 0)
                fail_msg("%s (%s): expected %s, got %s: %s", s->name, how, r->expect, kind,
                         res.message ? res.message : "");
            assert_true(res.output_len <= (size_t)r->lim.max_output);
            sandbox_result_free(&res);
            after = mallinfo2().uordblks;
            if (HEAP_COUNTED && after > before + HEAP_SLACK)
                fail_msg("%s (%s): the host heap grew by %zu bytes", s->name, how,
                         after - before);
            check_host_intact(sandboxes[m]);
        }
    }
}

static int group_setup(void **state)
{
    static const sandbox_fn fns[] = { { "sleep", corpus_sleep }, { "echo", corpus_echo },
                                      { NULL, NULL } };
    augur_err err = { 0 };
    sandbox_config cfg;
    config *c;
    buf a = BUF_INIT;

    (void)state;
    if (config_new(&c, &err) != AUGUR_OK || sandbox_conf_read(c, &cfg, &err) != AUGUR_OK)
        return -1;
    config_free(c);
    for (int m = 0; m < 2; m++) {
        cfg.isolation = m ? SANDBOX_PROCESS : SANDBOX_INPROC;
        if (sandbox_new(&sandboxes[m], &cfg, &err) != AUGUR_OK ||
            sandbox_capability_add(sandboxes[m], "test", fns, NULL, NULL, &err) != AUGUR_OK)
            return -1;
    }
    canary_dir = test_tmpdir();
    free(test_write(canary_dir, "canary.txt", "intact\n"));
    buf_puts(&a, "[");
    json_quote(&a, canary_dir, strlen(canary_dir));
    buf_puts(&a, "]");
    if (sandbox_value_parse(a.data, a.len, "args", &args, &err) != AUGUR_OK)
        return -1;
    buf_free(&a);
    /* Warm both: the pool and the allocator's arenas exist before the first count. */
    for (int m = 0; m < 2; m++)
        check_host_intact(sandboxes[m]);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int m = 0; m < 2; m++)
        sandbox_free(sandboxes[m]);
    test_rmtree(canary_dir);
    free(canary_dir);
    sandbox_value_free(args);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const script *)a)->name, ((const script *)b)->name);
}

int main(void)
{
    augur_err err = { 0 };
    sandbox_config cfg;
    struct CMUnitTest *tests;
    script *scripts = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    config *c;
    DIR *d = opendir(CORPUS);
    int rc;

    if (!d || config_new(&c, &err) != AUGUR_OK || sandbox_conf_read(c, &cfg, &err) != AUGUR_OK) {
        printf("1..1\nnot ok 1 - cannot open %s or the configuration\n", CORPUS);
        return 1;
    }
    config_free(c);
    while ((e = readdir(d))) {
        size_t len = strlen(e->d_name);
        char path[512];
        if (len < 5 || strcmp(e->d_name + len - 4, ".lua") != 0)
            continue;
        if (n == cap && !(scripts = realloc(scripts, (cap = cap ? cap * 2 : 64) * sizeof *scripts)))
            return 1;
        memset(&scripts[n], 0, sizeof *scripts);
        scripts[n].name = strdup(e->d_name);
        snprintf(path, sizeof path, "%s/%s", CORPUS, e->d_name);
        if (file_read(path, 1 << 20, &scripts[n].source, &scripts[n].len, &err) != AUGUR_OK)
            return 1;
        n++;
    }
    closedir(d);
    qsort(scripts, n, sizeof *scripts, by_name);
    tests = calloc(n, sizeof *tests);
    for (size_t i = 0; i < n; i++) {
        parse_header(&scripts[i], &cfg.limits);
        tests[i] = (struct CMUnitTest){ scripts[i].name, run_script, NULL, NULL, &scripts[i] };
    }
    rc = _cmocka_run_group_tests("hostile", tests, n, group_setup, group_teardown);
    for (size_t i = 0; i < n; i++) {
        free(scripts[i].name);
        free(scripts[i].source);
    }
    free(scripts);
    free(tests);
    return rc;
}
