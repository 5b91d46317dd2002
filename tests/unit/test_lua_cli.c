/* test_lua_cli.c — `augur lua run` end to end: files, stdin, options, output, exit statuses. */
#include "test.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


static void test_run_file_and_stdin(void **state)
{
    char *file = test_write(cli_scratch, "add.lua",
                            "function add(a, b) print('adding', a, b) return a + b end\n"
                            "return 'chunk', ...\n");

    (void)state;
    for (int i = 0; i < 2; i++) {
        const char *iso = i ? "process" : "inproc";
        assert_int_equal(run_augur(NULL, "lua", "run", file, "--entry", "add", "--args", "[2, 3]",
                                   "--isolation", iso, NULL), 0);
        assert_contains(buf_str(&cli_out), "{\"ok\": true, \"result\": 5, \"output\": \"adding\\t2\\t3\\n\", "
                                       "\"error\": null, \"stats\": {\"instructions\": ");
        assert_contains(buf_str(&cli_out), "\"peak_bytes\": ");
        assert_contains(buf_str(&cli_out), "\"lossy\": false}}\n");
        assert_string_equal(buf_str(&cli_err), "");
        assert_int_equal(run_augur(NULL, "lua", "run", file, "--args=[1.5, {}]",
                                   "--isolation", iso, NULL), 0);
        assert_contains(buf_str(&cli_out), "\"result\": [\"chunk\", 1.5, []]");
    }
    assert_int_equal(run_augur("return math.random(100)", "lua", "run", "-", "--seed", "7", NULL), 0);
    {
        char *first = strdup(buf_str(&cli_out));
        assert_int_equal(run_augur("return math.random(100)", "lua", "run", "/dev/stdin",
                                   "--seed=7", NULL), 0);
        assert_memory_equal(first, buf_str(&cli_out), strstr(first, "\"stats\"") - first);
        free(first);
    }
    free(file);
}

static void test_failures(void **state)
{
    (void)state;
    assert_int_equal(run_augur("local x = \n\n+", "lua", "run", "-", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"ok\": false, \"result\": null");
    assert_contains(buf_str(&cli_out), "\"error\": {\"kind\": \"syntax\", \"message\": \"unexpected symbol near '+'\", \"line\": 3,");
    assert_int_equal(run_augur("while true do end", "lua", "run", "-", "--instructions", "5000", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"instructions\"");
    assert_int_equal(run_augur("while true do end", "lua", "run", "-", "--instructions", "1000000000000",
                               "--timeout-ms", "100", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"timeout\"");
    assert_int_equal(run_augur("while true do end", "lua", "run", "-", "--instructions", "0",
                               "--timeout-ms", "100", "--isolation", "inproc", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"timeout\", \"message\": \"deadline of 100 ms passed\"");
    assert_contains(buf_str(&cli_out), "\"instructions\": 0,");
    assert_int_equal(run_augur("local t = {} for i = 1, 1e8 do t[i] = i end", "lua", "run", "-",
                               "--memory-mb", "1", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"memory\"");
    assert_int_equal(run_augur("for i = 1, 100 do print(i) end", "lua", "run", "-", "--max-output",
                               "10", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"output\": \"1\\n2\\n3\\n4\\n5\\n\"");
    assert_contains(buf_str(&cli_out), "\"kind\": \"output\"");
    assert_int_equal(run_augur("return ('x'):rep(100)", "lua", "run", "-", "--max-string", "50", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"memory\"");
    assert_int_equal(run_augur("return host.fs", "lua", "run", "-", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"denied\"");
}

static void test_capabilities(void **state)
{
    char *dir = test_tmpdir();

    (void)state;
    free(test_write(dir, "note.txt", "from the workspace"));
    assert_int_equal(run_augur("return host.fs.read('note.txt')", "lua", "run", "-", "--allow",
                               "fs,kv", "--workspace", dir, NULL), 0);
    assert_contains(buf_str(&cli_out), "\"result\": \"from the workspace\"");
    assert_int_equal(run_augur("return host.fs.read('note.txt')", "lua", "run", "-",
                               "--workspace", dir, NULL), 1);
    assert_contains(buf_str(&cli_out), "\"kind\": \"denied\"");
    assert_int_equal(run_augur("host.kv.set('k', 'kept') return 1", "lua", "run", "-", "--allow",
                               "kv", NULL), 0);
    assert_int_equal(run_augur("return host.kv.get('k')", "lua", "run", "-", "--allow", "kv",
                               "--isolation", "inproc", NULL), 0);
    assert_contains(buf_str(&cli_out), "\"result\": \"kept\"");
    assert_int_equal(run_augur("return host.http.get('http://127.0.0.1:9/')", "lua", "run", "-",
                               "--allow", "http", NULL), 1);
    assert_contains(buf_str(&cli_out), "is not in sandbox.http_allow");
    assert_int_equal(run_augur("", "lua", "run", "-", "--workspace", "/nonexistent/dir", NULL), 1);
    assert_contains(buf_str(&cli_err), "workspace '/nonexistent/dir'");
    assert_int_equal(run_augur("", "-c", "sandbox.http_ca_file=/nonexistent/ca.pem", "lua", "run",
                               "-", NULL), 1);
    assert_contains(buf_str(&cli_err), "certificate authorities file '/nonexistent/ca.pem': No such "
                                   "file or directory");
    test_rmtree(dir);
    free(dir);
}

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "lua", "run", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "usage: augur lua run FILE.lua [options]");
    assert_contains(buf_str(&cli_out), "--max-string BYTES");
    assert_int_equal(run_augur(NULL, "lua", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "run FILE.lua [options]");
    assert_int_equal(run_augur(NULL, "lua", "run", NULL), 2);
    assert_contains(buf_str(&cli_err), "expected FILE.lua");
    assert_int_equal(run_augur("", "lua", "run", "-", "--args", "{}", NULL), 2);
    assert_contains(buf_str(&cli_err), "--args must be a JSON array");
    assert_int_equal(run_augur("", "lua", "run", "-", "--args", "[1,", NULL), 2);
    assert_contains(buf_str(&cli_err), "--args:1:3: invalid JSON");
    assert_int_equal(run_augur("", "lua", "run", "-", "--isolation", "jail", NULL), 2);
    assert_int_equal(run_augur("", "lua", "run", "-", "--allow", "fs,net", NULL), 2);
    assert_contains(buf_str(&cli_err), "unknown capability 'net'");
    assert_int_equal(run_augur("", "lua", "run", "-", "--timeout-ms", "soon", NULL), 2);
    assert_int_equal(run_augur("", "lua", "run", "-", "--timeout-ms", "0", NULL), 2);
    assert_contains(buf_str(&cli_err), "--timeout-ms needs an integer of at least 1, not '0'");
    assert_int_equal(run_augur("", "lua", "run", "-", "--instructions", "-1", NULL), 2);
    assert_contains(buf_str(&cli_err), "--instructions needs an integer of at least 0, not '-1'");
    assert_int_equal(run_augur("", "lua", "run", "-", "--bogus", "1", NULL), 2);
    assert_int_equal(run_augur("", "lua", "run", "missing.lua", NULL), 1);
    assert_contains(buf_str(&cli_err), "missing.lua");
    assert_int_equal(run_augur("", "-c", "sandbox.isolation=jail", "lua", "run", "-", NULL), 2);
    assert_contains(buf_str(&cli_err), "-c sandbox.isolation=jail: sandbox.isolation must be inproc or process");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_file_and_stdin),
        cmocka_unit_test(test_failures),
        cmocka_unit_test(test_capabilities),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests_name("lua_cli", tests, cli_setup, cli_teardown);
}
