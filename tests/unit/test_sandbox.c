/* test_sandbox.c — the Lua sandbox: values, limits, environment, errors, isolation. */
#include "test.h"

#include "agent/sandbox_conf.h"
#include "base/time.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static sandbox_config defaults;

static int setup(void **state)
{
    augur_err err = { 0 };
    config *c;

    (void)state;
    if (config_new(&c, &err) != AUGUR_OK || sandbox_conf_read(c, &defaults, &err) != AUGUR_OK)
        return -1;
    config_free(c);
    defaults.limits.timeout_ms = 2000;
    return 0;
}

static sandbox *open_sandbox(sandbox_isolation iso)
{
    sandbox_config cfg = defaults;
    augur_err err = { 0 };
    sandbox *sb;

    cfg.isolation = iso;
    if (sandbox_new(&sb, &cfg, &err) != AUGUR_OK)
        fail_msg("sandbox_new: %s", err.msg);
    return sb;
}

/* Run src (with a job tweaked by the caller) and return the result as JSON text. */
static char *run_job(sandbox *sb, sandbox_job *job, sandbox_result *res)
{
    augur_err err = { 0 };
    buf out = BUF_INIT;

    if (sandbox_run(sb, job, res, &err) != AUGUR_OK)
        fail_msg("sandbox_run: %s", err.msg);
    sandbox_result_write(&out, res);
    return buf_take(&out);
}

/* Run src and check that the JSON result contains want; returns the result kind. */
static sandbox_kind expect(sandbox *sb, const char *src, const char *want)
{
    sandbox_job job = { .source = src, .len = strlen(src) };
    sandbox_result res;
    char *json = run_job(sb, &job, &res);
    sandbox_kind kind = res.kind;

    assert_contains(json, want);
    free(json);
    sandbox_result_free(&res);
    return kind;
}

static const sandbox_isolation modes[] = { SANDBOX_INPROC, SANDBOX_PROCESS };

static void test_values(void **state)
{
    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        expect(sb, "return 1, 2.5, 3.0, 'x', true, nil",
               "\"result\": [1, 2.5, 3.0, \"x\", true, null]");
        expect(sb, "return {}", "\"result\": [], ");
        expect(sb, "return {1, 2, {3}}", "\"result\": [1, 2, [3]]");
        expect(sb, "return {b = 1, a = {x = 'y'}, [3] = 'c'}",
               "\"result\": {\"3\": \"c\", \"a\": {\"x\": \"y\"}, \"b\": 1}");
        expect(sb, "return {[1] = 'a', [3] = 'c'}", "\"result\": {\"1\": \"a\", \"3\": \"c\"}");
        expect(sb, "return 2^53", "\"result\": 9007199254740992.0");
        expect(sb, "return math.tointeger(2^53) + 1", "\"result\": 9007199254740992.0");
        expect(sb, "return -(2^53 // 1) | 0", "\"result\": -9007199254740992,");
        expect(sb, "return 0/0, 1/0", "\"result\": [null, null]");
        expect(sb, "return 0/0", "\"lossy\": true");
        expect(sb, "return 'a\\xffb'", "\"result\": \"a\xef\xbf\xbd" "b\"");
        expect(sb, "return 'a\\xffb'", "\"lossy\": true");
        expect(sb, "return 'caf\\xc3\\xa9'", "\"lossy\": false");
        expect(sb, "print('\\xff')", "\"lossy\": true");
        expect(sb, "return", "\"result\": null");
        expect(sb, "local t = {} t.t = t return t", "a table that contains itself");
        expect(sb, "local t = {} for i = 1, 100 do t = {t} end return t", "nested too deeply");
        expect(sb, "local t = {} for i = 1, 40 do t = {t, t} end return t", "\"kind\": \"output\"");
        expect(sb, "return print", "a function value cannot leave the sandbox");
        expect(sb, "return {[true] = 1}", "a table key of type boolean");
        sandbox_free(sb);
    }
}

static void test_entry_and_args(void **state)
{
    static const char src[] = "function add(a, b) return a + b end\n"
                              "function echo(...) return ... end\n"
                              "return select('#', ...)\n";
    augur_err err = { 0 };
    sandbox_value *args;
    sandbox_result res;
    char *json;

    (void)state;
    static const char json_args[] = "[2, 3.5, {\"k\": [true, null]}, \"s\"]";
    assert_int_equal(sandbox_value_parse(json_args, strlen(json_args), "args", &args, &err),
                     AUGUR_OK);
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        sandbox_job job = { .source = src, .len = strlen(src), .args = args };
        json = run_job(sb, &job, &res);
        assert_contains(json, "\"result\": 4,");
        free(json);
        sandbox_result_free(&res);
        job.entry = "echo";
        json = run_job(sb, &job, &res);
        assert_contains(json, "\"result\": [2, 3.5, {\"k\": [true]}, \"s\"]");
        free(json);
        sandbox_result_free(&res);
        job.entry = "missing";
        json = run_job(sb, &job, &res);
        assert_int_equal(res.kind, SANDBOX_ERUNTIME);
        assert_contains(json, "entry 'missing' is not a function (a nil value)");
        free(json);
        sandbox_result_free(&res);
        sandbox_free(sb);
    }
    sandbox_value_free(args);
}

static void test_limits(void **state)
{
    sandbox_limits lim = defaults.limits;

    (void)state;
    lim.instructions = 200000;
    lim.memory_bytes = 4 << 20;
    lim.timeout_ms = 300;
    lim.max_output = 100;
    lim.max_string = 1000;
    for (int m = 0; m < 2; m++) {
        static const struct { const char *src; sandbox_kind kind; } cases[] = {
            { "while true do end", SANDBOX_EINSTRUCTIONS },
            { "local t = {} for i = 1, 1e7 do t[i] = i end", SANDBOX_EINSTRUCTIONS },
            { "local s = ('x'):rep(900) local t = {} for i = 1, 1e9 do t[i] = s .. i end",
              SANDBOX_EMEMORY },
            { "for i = 1, 100 do print('0123456789') end", SANDBOX_EOUTPUT },
            { "return ('x'):rep(1001)", SANDBOX_EMEMORY },
            { "local s = ('x'):rep(600) return s .. s", SANDBOX_EMEMORY },
            { "return table.concat({('x'):rep(600), ('y'):rep(600)})", SANDBOX_EMEMORY },
        };
        sandbox *sb = open_sandbox(modes[m]);
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            sandbox_job job = { .source = cases[i].src, .len = strlen(cases[i].src),
                                .limits = &lim };
            sandbox_result res;
            free(run_job(sb, &job, &res));
            if (res.kind != cases[i].kind)
                fail_msg("%s: kind %s, not %s: %s", cases[i].src, sandbox_kind_name(res.kind),
                         sandbox_kind_name(cases[i].kind), res.message);
            assert_true(res.stats.peak_bytes <= lim.memory_bytes + (256 << 10));
            if (cases[i].kind == SANDBOX_EOUTPUT) {
                assert_int_equal(res.output_len, 100);
                assert_memory_equal(res.output, "0123456789\n", 11);
            }
            sandbox_result_free(&res);
        }
        /* The deadline holds when the budget would not. */
        lim.instructions = INT64_MAX;
        {
            sandbox_job job = { .source = "while true do end", .len = 17, .limits = &lim };
            sandbox_result res;
            uint64_t t0 = time_mono_ns();
            free(run_job(sb, &job, &res));
            assert_int_equal(res.kind, SANDBOX_ETIMEOUT);
            assert_true(time_mono_ns() - t0 < 3000000000ull);
            sandbox_result_free(&res);
        }
        lim.instructions = 200000;
        sandbox_free(sb);
    }
}

/* Once spent, a budget stays spent, and once passed, a deadline stays passed, with a
** budget or without one (when no hook is set until then): nothing in the script can
** catch either. */
static void test_uncatchable(void **state)
{
    static const char *const scripts[] = {
        "while true do end",
        "while true do pcall(function() while true do end end) end",
        "for i = 1, 1e9 do xpcall(function() while true do end end, function() return 1 end) end",
        "xpcall(error, function() while true do end end) while true do end",
        "while true do local co = coroutine.wrap(function() while true do end end) pcall(co) end",
        "while true do coroutine.resume(coroutine.create(function() while true do end end)) end",
        "local co = coroutine.wrap(function() while true do coroutine.yield() end end)\n"
        "while true do co() end",
        "local co = coroutine.wrap(function() local x <close> = setmetatable({}, {__close =\n"
        "function() while true do end end}) error('e') end) pcall(co) while true do end",
        "local co = coroutine.create(function() local x <close> = setmetatable({}, {__close =\n"
        "function() while true do end end}) coroutine.yield() end)\n"
        "coroutine.resume(co) coroutine.close(co) while true do end",
        "local ok = pcall(function() local x <close> = setmetatable({}, {__close = function() "
        "while true do end end}) while true do end end) while true do end",
        "table.sort({3, 2, 1}, function(a, b) while true do end end)",
        "while true do pcall(error, 'x') pcall(string.rep, 'x', -1) end",
        "while true do local s = ('x'):rep(100) s:find('y') end",
        "print('before') while true do end",
    };
    sandbox_limits budget = defaults.limits, deadline = defaults.limits;

    (void)state;
    budget.instructions = 100000;
    budget.timeout_ms = 1000;
    deadline.instructions = 0;
    deadline.timeout_ms = 100;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        for (size_t i = 0; i < sizeof scripts / sizeof *scripts; i++) {
            for (int b = 0; b < 2; b++) {
                sandbox_job job = { .source = scripts[i], .len = strlen(scripts[i]),
                                    .limits = b ? &deadline : &budget };
                sandbox_kind want = b ? SANDBOX_ETIMEOUT : SANDBOX_EINSTRUCTIONS;
                uint64_t t0 = time_mono_ns();
                sandbox_result res;
                free(run_job(sb, &job, &res));
                if (res.kind != want)
                    fail_msg("%s (%s, %s): kind %s: %s", scripts[i], m ? "process" : "inproc",
                             b ? "no budget" : "budget", sandbox_kind_name(res.kind), res.message);
                assert_true(time_mono_ns() - t0 < 3000000000ull);
                if (!b)
                    assert_true(res.stats.instructions < 2 * budget.instructions);
                else
                    assert_int_equal(res.stats.instructions, 0);
                /* In this process the run reports its own timeout, with what it printed;
                ** a worker in a Lua loop, which nothing in it watches without a budget, is
                ** killed by its host. */
                if (b)
                    assert_contains(res.message, "deadline of 100 ms passed");
                if (b && modes[m] == SANDBOX_INPROC)
                    assert_true(res.stats.wall_ms >= 100);
                if (b && modes[m] == SANDBOX_PROCESS && i == 0)
                    assert_contains(res.message, "the worker was killed");
                if (modes[m] == SANDBOX_INPROC && strncmp(scripts[i], "print", 5) == 0)
                    assert_string_equal(res.output, "before\n");
                sandbox_result_free(&res);
            }
        }
        sandbox_free(sb);
    }
}

/* Without a budget nothing is counted, and the limits on one C call hold: nothing else
** would stop the call. */
static void test_no_budget(void **state)
{
    static const struct { const char *src, *want; } cases[] = {
        { "return 6 * 7", "\"result\": 42," },
        { "table.move({}, 1, math.maxinteger - 1, 2)", "table.move: 9.22e+18 steps of work" },
        { "table.insert(setmetatable({}, {__len = function() return math.maxinteger end}), 1, 1)",
          "table.insert: 9.22e+18 steps of work in one call, more than the 1e+08 allowed" },
        { "table.remove(setmetatable({}, {__len = function() return 2^53 end}), 1)",
          "table.remove: 9.01e+15 steps" },
        { "return table.concat(setmetatable({}, {__index = function() return '' end}), '', 1, 2^50)",
          "table.concat: 1.13e+15 steps" },
        { "return ('a'):rep(1e5):find('.-.-.-.-b')", "more than the 1e+08 allowed" },
        { "return ('x'):rep(2^40)", "exceeds the largest string allowed" },
        { "local t = {} for i = 1, 1e4 do t[i] = i end return #table.concat(t, ','):rep(2)",
          "\"ok\": true" },
    };
    sandbox_limits lim = defaults.limits;

    (void)state;
    lim.instructions = 0;
    lim.max_string = 1 << 20;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
            sandbox_job job = { .source = cases[i].src, .len = strlen(cases[i].src),
                                .limits = &lim };
            sandbox_result res;
            char *json = run_job(sb, &job, &res);
            assert_contains(json, cases[i].want);
            assert_int_equal(res.stats.instructions, 0);
            free(json);
            sandbox_result_free(&res);
        }
        sandbox_free(sb);
    }
}

/* The watchdog threads of this process, from /proc: how many, and whether each blocks
** SIGINT, SIGTERM and SIGCHLD (signals meant for the program). */
static int watchdogs(int *blocking)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;

    *blocking = 0;
    while (d && (e = readdir(d))) {
        char path[300], line[256] = "";
        unsigned long long blocked = 0;
        FILE *f;
        snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        if (!fgets(line, sizeof line, f))
            line[0] = '\0';
        fclose(f);
        if (strcmp(line, "augur-watchdog\n") != 0)
            continue;
        n++;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        for (f = fopen(path, "r"); f && fgets(line, sizeof line, f);)
            sscanf(line, "SigBlk: %llx", &blocked);
        if (f)
            fclose(f);
        *blocking += (blocked >> (SIGINT - 1) & 1) && (blocked >> (SIGTERM - 1) & 1) &&
                     (blocked >> (SIGCHLD - 1) & 1);
    }
    if (d)
        closedir(d);
    return n;
}

/* The watchdog threads left after sandboxes were freed. pthread_join returns when the
** kernel clears the thread's id, which it does before it reaps the thread, so /proc
** may list a joined thread for a moment more: wait (at most 10 s) for it to go. */
static int watchdogs_after_free(int want)
{
    uint64_t until = time_mono_ns() + 10000000000u;
    int n, blocking;

    while ((n = watchdogs(&blocking)) != want && time_mono_ns() < until)
        usleep(1000);
    return n;
}

/* One watchdog thread per sandbox, started by its first inproc run without a budget,
** blocking every signal, joined when the sandbox is freed; each run is watched
** against its own deadline. */
static void test_watchdog(void **state)
{
    static const char busy[] = "local t = os.clock() while os.clock() - t < 0.3 do end return 1";
    sandbox_limits budget = defaults.limits, quick = defaults.limits, slow = defaults.limits;
    sandbox *a = open_sandbox(SANDBOX_INPROC), *b = open_sandbox(SANDBOX_INPROC);
    sandbox_job job = { .source = "return 1", .len = 8, .limits = &budget };
    sandbox_result res;
    int blocking;

    (void)state;
    quick.instructions = slow.instructions = 0;
    quick.timeout_ms = 50;
    slow.timeout_ms = 60000;
    assert_int_equal(watchdogs_after_free(0), 0); /* earlier tests' sandboxes */
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    job.isolation = SANDBOX_PROCESS;
    job.limits = &quick;
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    assert_int_equal(watchdogs(&blocking), 0);
    job.isolation = SANDBOX_DEFAULT;
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    assert_int_equal(watchdogs(&blocking), 1);
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    free(run_job(b, &job, &res));
    sandbox_result_free(&res);
    assert_int_equal(watchdogs(&blocking), 2);
    assert_int_equal(blocking, 2);
    /* A run whose deadline is far, then one whose deadline is near: the watchdog,
    ** asleep until the far one, is woken for the near one. */
    job.limits = &slow;
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    job = (sandbox_job){ .source = "while true do end", .len = 17, .limits = &quick };
    free(run_job(a, &job, &res));
    assert_int_equal(res.kind, SANDBOX_ETIMEOUT);
    assert_true(res.stats.wall_ms < 30000);
    sandbox_result_free(&res);
    /* A near deadline, then a run longer than it but within its own: the watchdog,
    ** waking at the stale deadline, lets it finish. */
    job = (sandbox_job){ .source = "return 1", .len = 8, .limits = &quick };
    free(run_job(a, &job, &res));
    sandbox_result_free(&res);
    slow.timeout_ms = 5000;
    job = (sandbox_job){ .source = busy, .len = sizeof busy - 1, .limits = &slow };
    free(run_job(a, &job, &res));
    if (!res.ok)
        fail_msg("%s: %s", sandbox_kind_name(res.kind), res.message);
    sandbox_result_free(&res);
    sandbox_free(a);
    assert_int_equal(watchdogs_after_free(1), 1);
    sandbox_free(b);
    assert_int_equal(watchdogs_after_free(0), 0);
}

static void test_environment(void **state)
{
    static const char absent[] =
        "local names = {'io', 'package', 'debug', 'dofile', 'loadfile', 'warn', 'require',\n"
        "  'string.dump', 'os.execute', 'os.exit', 'os.getenv', 'os.remove', 'os.rename',\n"
        "  'os.setlocale', 'os.tmpname'}\n"
        "for _, n in ipairs(names) do\n"
        "  local v = _G for part in n:gmatch('[^.]+') do v = v and v[part] end\n"
        "  assert(v == nil, n .. ' is reachable')\n"
        "end\n"
        "assert(os.clock and os.time and os.date and os.difftime)\n"
        "assert(getmetatable('') == 'protected')\n"
        "assert(not pcall(function() string.rep = nil end))\n"
        "assert(not pcall(rawset, string, 'rep', print))\n"
        "assert(not pcall(setmetatable, string, nil))\n"
        "assert(not pcall(setmetatable, {}, {__gc = false}))\n"
        "assert(not pcall(collectgarbage, 'stop'))\n"
        "assert(type(collectgarbage('count')) == 'number')\n"
        "assert(not load(string.char(27) .. 'Lua'))\n"
        "assert(load('return 1', 'x', 'b'))\n"
        "assert(load('return _ENV')() == _G)\n"
        "assert(not pcall(string.format, '%p', {}))\n"
        "assert(tostring({}):match('^table: #%d+$'))\n"
        "local n = 0 for k in pairs(string) do n = n + 1 end assert(n > 10)\n"
        "assert(not pcall(coroutine.yield))\n"
        "return 'clean'\n";

    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        expect(sb, absent, "\"result\": \"clean\"");
        /* A run never sees another run's globals or changes. */
        expect(sb, "leaked = 1; pcall(function() string.x = 1 end) return 1", "\"ok\": true");
        expect(sb, "return leaked == nil and string.x == nil", "\"result\": true");
        sandbox_free(sb);
    }
}

static void test_determinism(void **state)
{
    static const char src[] = "local t = {} for i = 1, 5 do t[i] = math.random(1000) end\n"
                              "math.randomseed() t[6] = math.random(1000)\n"
                              "local keys = {}\n"
                              "for k in pairs({e = 1, d = 2, c = 3, b = 4, a = 5, [2.5] = 6,\n"
                              "  [1] = 7, [true] = 8, kk = 9, k = 10}) do keys[#keys + 1] = tostring(k) end\n"
                              "local lib = {} for k in pairs(math) do lib[#lib + 1] = k end\n"
                              "t[7] = table.concat(keys, ' ') t[8] = table.concat(lib, ' ')\n"
                              "print({}, print) return t";
    char *first[2] = { NULL, NULL };

    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        for (int seed = 1; seed <= 2; seed++) {
            sandbox_job job = { .source = src, .len = strlen(src), .seed = (uint64_t)seed };
            sandbox_result res;
            buf a = BUF_INIT;
            free(run_job(sb, &job, &res));
            sandbox_value_write(&a, res.value, NULL);
            buf_puts(&a, res.output);
            sandbox_result_free(&res);
            if (!first[seed - 1])
                first[seed - 1] = buf_take(&a);
            else
                assert_string_equal(first[seed - 1], buf_str(&a));
            buf_free(&a);
        }
        sandbox_free(sb);
    }
    assert_string_not_equal(first[0], first[1]);
    assert_contains(first[0], "table: #1\tfunction: #2");
    assert_contains(first[0], "\"1 2.5 a b c d e k kk true\", \"abs acos asin atan");
    free(first[0]);
    free(first[1]);
}

static void test_errors(void **state)
{
    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        sandbox_job job = { .source = "local x = 1\nx = = 2\n", .len = 19, .name = "act.lua" };
        sandbox_result res;
        char *json = run_job(sb, &job, &res);
        assert_int_equal(res.kind, SANDBOX_ESYNTAX);
        assert_int_equal(res.line, 2);
        assert_contains(json, "\"message\": \"unexpected symbol near '='\"");
        free(json);
        sandbox_result_free(&res);

        job.source = "local function f()\n  error('boom')\nend\nf()\n";
        job.len = strlen(job.source);
        json = run_job(sb, &job, &res);
        assert_int_equal(res.kind, SANDBOX_ERUNTIME);
        assert_int_equal(res.line, 2);
        assert_string_equal(res.message, "boom");
        assert_contains(res.traceback, "act.lua:2: in");
        assert_contains(res.traceback, "act.lua:4: in main chunk");
        free(json);
        sandbox_result_free(&res);

        /* The host never runs a metamethod the script attached to what it returns. */
        expect(sb, "error(setmetatable({}, {__tostring = function() while true do end end}))",
               "\"message\": \"(error object is a table value)\"");
        expect(sb, "return setmetatable({}, {__index = function() while true do end end, "
                   "__pairs = function() while true do end end, __len = function() return 5 end})",
               "\"result\": []");
        expect(sb, "return string.rep('x', 3, 4, 5) .. nil", "attempt to concatenate a nil value");
        expect(sb, "coroutine.yield(1)", "attempt to yield from outside a coroutine");
        sandbox_free(sb);
    }
}

/* ---- capabilities ---------------------------------------------------------------------- */

static int cap_echo(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)err;
    *ret = sandbox_value_new(SANDBOX_ARRAY);
    for (size_t i = 0; i < call->args->n; i++) {
        buf b = BUF_INIT;
        sandbox_value_write(&b, call->args->items[i], NULL);
        sandbox_value_push(*ret, NULL, 0, sandbox_value_string(b.data, b.len));
        buf_free(&b);
    }
    return AUGUR_OK;
}

static int cap_refuse(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)ret;
    return augur_err_set(err, AUGUR_EDENIED, "%s is not for you", call->name);
}

static int cap_fail(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)call;
    (void)ret;
    return augur_err_set(err, AUGUR_EIO, "the disk is on fire");
}

/* Sleeps until the call's deadline: a host call that blocks. */
static int cap_sleep(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)ret;
    (void)err;
    while (time_mono_ns() < call->deadline_ns)
        usleep(1000);
    return AUGUR_OK;
}

/* Send sig to every child of this process: in process mode, the workers. */
static void signal_children(int sig)
{
    char path[64], line[4096];
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;

    while (d && (e = readdir(d))) {
        FILE *f;
        snprintf(path, sizeof path, "/proc/self/task/%.20s/children", e->d_name);
        if (!(f = fopen(path, "r")))
            continue;
        if (fgets(line, sizeof line, f))
            for (char *p = line, *end; *p; p = end) {
                long pid = strtol(p, &end, 10);
                if (end == p)
                    break;
                kill((pid_t)pid, sig);
            }
        fclose(f);
    }
    if (d)
        closedir(d);
}

static int cap_kill_workers(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)call;
    (void)ret;
    (void)err;
    signal_children(SIGKILL);
    return AUGUR_OK;
}

/* Freezes the workers, as a worker stuck in a long C call would be. */
static int cap_stop_workers(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    (void)call;
    (void)ret;
    (void)err;
    signal_children(SIGSTOP);
    return AUGUR_OK;
}

static void cap_count_free(void *ud)
{
    ++*(int *)ud;
}

static void test_capabilities(void **state)
{
    static const sandbox_fn fns[] = {
        { "echo", cap_echo }, { "refuse", cap_refuse }, { "fail", cap_fail },
        { "sleep", cap_sleep }, { "kill_workers", cap_kill_workers },
        { "stop_workers", cap_stop_workers }, { NULL, NULL },
    };
    static const char *const allow[] = { "test" };
    int freed = 0;

    (void)state;
    for (int m = 0; m < 2; m++) {
        sandbox *sb = open_sandbox(modes[m]);
        augur_err err = { 0 };
        sandbox_job job = { .allow = allow, .nallow = 1 };
        sandbox_result res;
        sandbox_limits lim = defaults.limits;
        char *json;

        assert_int_equal(sandbox_capability_add(sb, "test", fns, &freed, cap_count_free, &err),
                         AUGUR_OK);
        assert_int_equal(sandbox_capability_add(sb, "test", fns, &freed, cap_count_free, &err),
                         AUGUR_EINVAL);
        assert_int_equal(sandbox_capability_add(sb, "bad name", fns, NULL, NULL, &err),
                         AUGUR_EINVAL);
        assert_int_equal(sandbox_capability_add(sb, "other", fns, NULL, NULL, &err), AUGUR_OK);
#define RUN_CAP(src) (job.source = (src), job.len = strlen(job.source), run_job(sb, &job, &res))
        json = RUN_CAP("return host.test.echo(1, 'a', {x = {2.5}})");
        assert_contains(json, "\"result\": [\"1\", \"\\\"a\\\"\", \"{\\\"x\\\": [2.5]}\"]");
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("host.test.refuse()");
        assert_int_equal(res.kind, SANDBOX_EDENIED);
        assert_contains(json, "host.test.refuse: refuse is not for you");
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("local ok, e = pcall(host.test.refuse) return ok, e");
        assert_contains(json, "\"result\": [false, \"host.test.refuse: refuse is not for you\"]");
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("return host.other.echo()");
        assert_int_equal(res.kind, SANDBOX_EDENIED);
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("host.test.fail()");
        assert_int_equal(res.kind, SANDBOX_ERUNTIME);
        assert_contains(json, "the disk is on fire");
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("return host.test.echo(print)");
        assert_contains(json, "argument 1: a function value cannot leave the sandbox");
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("return host.nothing, host.test.nothing");
        assert_contains(json, "\"result\": [null, null]");
        free(json);
        sandbox_result_free(&res);
        lim.timeout_ms = 200;
        job.limits = &lim;
        json = RUN_CAP("host.test.sleep() return 1");
        assert_int_equal(res.kind, SANDBOX_ETIMEOUT);
        free(json);
        sandbox_result_free(&res);
        job.limits = NULL;
        json = RUN_CAP("host.test.kill_workers() return 1");
        assert_int_equal(res.kind, modes[m] == SANDBOX_PROCESS ? SANDBOX_ECRASHED : SANDBOX_NONE);
        free(json);
        sandbox_result_free(&res);
        json = RUN_CAP("return 2");
        assert_contains(json, "\"result\": 2,");
        free(json);
        sandbox_result_free(&res);
        job.nallow = 0;
        json = RUN_CAP("return host.test.echo()");
        assert_int_equal(res.kind, SANDBOX_EDENIED);
        assert_contains(json, "may not use the 'test' capability");
        free(json);
        sandbox_result_free(&res);
        job.nallow = 1;
#undef RUN_CAP
        sandbox_free(sb);
        assert_int_equal(freed, 2 * (m + 1));
    }
}

/* A worker that overran is killed and replaced; the pool keeps serving. */
static void test_process_recovery(void **state)
{
    static const sandbox_fn fns[] = { { "stop_workers", cap_stop_workers }, { NULL, NULL } };
    static const char *const allow[] = { "test" };
    static const char src[] = "host.test.stop_workers() return 1";
    sandbox_config cfg = defaults;
    augur_err err = { 0 };
    sandbox_job job = { .source = src, .len = sizeof src - 1, .allow = allow, .nallow = 1 };
    sandbox_limits lim = defaults.limits;
    sandbox_result res;
    sandbox *sb;

    (void)state;
    cfg.isolation = SANDBOX_PROCESS;
    cfg.worker_runs = 3;
    cfg.workers = 1;
    cfg.worker_mem_bytes = 16 << 20;
    lim.timeout_ms = 100;
    job.limits = &lim;
    assert_int_equal(sandbox_new(&sb, &cfg, &err), AUGUR_OK);
    assert_int_equal(sandbox_capability_add(sb, "test", fns, NULL, NULL, &err), AUGUR_OK);
    for (int i = 0; i < 10; i++)
        expect(sb, "return ...", "\"ok\": true");
    free(run_job(sb, &job, &res));
    assert_int_equal(res.kind, SANDBOX_ETIMEOUT);
    assert_contains(res.message, "the worker was killed");
    sandbox_result_free(&res);
    expect(sb, "return 42", "\"result\": 42,");
    /* A run that may hold more than the workers were sized for gets a worker that can. */
    lim = defaults.limits;
    lim.memory_bytes = 200 << 20;
    lim.max_string = 100 << 20;
    lim.timeout_ms = 20000;
    job = (sandbox_job){ .source = "return #('x'):rep(60 * 2^20)", .len = 28, .limits = &lim };
    free(run_job(sb, &job, &res));
    if (!res.ok)
        fail_msg("%s: %s", sandbox_kind_name(res.kind), res.message);
    assert_int_equal(res.value->integer, 60 << 20);
    sandbox_result_free(&res);
    sandbox_free(sb);
}

static void test_config(void **state)
{
    augur_err err = { 0 };
    sandbox_config cfg;
    config *c;

    (void)state;
    assert_int_equal(config_new(&c, &err), AUGUR_OK);
    assert_int_equal(sandbox_conf_read(c, &cfg, &err), AUGUR_OK);
    assert_int_equal(cfg.isolation, SANDBOX_PROCESS);
    assert_int_equal(cfg.limits.memory_bytes, 64 << 20);
    assert_int_equal(config_set(c, "sandbox.isolation=jail", &err), AUGUR_OK);
    assert_int_equal(sandbox_conf_read(c, &cfg, &err), AUGUR_ECONFIG);
    assert_contains(err.msg, "sandbox.isolation must be inproc or process, not 'jail'");
    assert_int_equal(config_set(c, "sandbox.isolation=inproc", &err), AUGUR_OK);
    assert_int_equal(config_set(c, "sandbox.timeout_ms=0", &err), AUGUR_OK);
    assert_int_equal(sandbox_conf_read(c, &cfg, &err), AUGUR_ECONFIG);
    assert_contains(err.msg, "sandbox.timeout_ms must be from 1");
    assert_int_equal(config_set(c, "sandbox.timeout_ms=100", &err), AUGUR_OK);
    assert_int_equal(config_set(c, "sandbox.instructions=0", &err), AUGUR_OK);
    assert_int_equal(sandbox_conf_read(c, &cfg, &err), AUGUR_OK);
    assert_int_equal(cfg.limits.instructions, 0);
    assert_int_equal(config_set(c, "sandbox.instructions=-1", &err), AUGUR_OK);
    assert_int_equal(sandbox_conf_read(c, &cfg, &err), AUGUR_ECONFIG);
    assert_contains(err.msg, "sandbox.instructions must be from 0");
    config_free(c);
    cfg = defaults;
    cfg.limits.max_output = 0;
    assert_int_equal(sandbox_new(&(sandbox *){ NULL }, &cfg, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "max_output must be at least 1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_entry_and_args),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_uncatchable),
        cmocka_unit_test(test_no_budget),
        cmocka_unit_test(test_watchdog),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_determinism),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_process_recovery),
        cmocka_unit_test(test_config),
    };
    return cmocka_run_group_tests_name("sandbox", tests, setup, NULL);
}
