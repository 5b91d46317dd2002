/* test_actions.c — the action library on a real SQLite file, a real sandbox and a real
** git repository: LDoc, validation, versions, search, usage, runs, mirror, sharing. */
#include "test.h"
#include "actions/library.h"
#include "base/file.h"
#include "sandbox/caps.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static const char count_rows[] =
    "--- Count the data rows of a CSV file.\n"
    "-- @kind reads\n"
    "-- @tparam string text\n"
    "-- @treturn integer\n"
    "function count_csv_rows(text)\n"
    "  local n = 0\n"
    "  for _ in text:gmatch('[^\\n]+') do n = n + 1 end\n"
    "  return n - 1\n"
    "end\n";

static const char sum_rows[] =
    "--- Sum the data rows of two CSV texts.\n"
    "-- @kind reads\n"
    "-- @tparam string a\n"
    "-- @tparam string b\n"
    "-- @treturn integer\n"
    "function sum_rows(a, b)\n"
    "  return count_csv_rows(a) + count_csv_rows(b)\n"
    "end\n";

static char *scratch;

static int setup(void **state)
{
    (void)state;
    scratch = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(scratch);
    free(scratch);
    return 0;
}

static char *path_in(const char *name)
{
    buf b = BUF_INIT;

    buf_printf(&b, "%s/%s", scratch, name);
    return buf_take(&b);
}

static library *open_lib(const char *db, const char *mirror)
{
    library_options opt = { mirror, NULL, 0, 0, 0 };
    augur_err err = { 0 };
    library *lib = NULL;
    char *path = path_in(db), *mpath = mirror ? path_in(mirror) : NULL;

    opt.mirror = mpath;
    if (library_open(&lib, path, &opt, &err) != AUGUR_OK)
        fail_msg("library_open: %s", err.msg);
    free(path);
    free(mpath);
    return lib;
}

static void test_ldoc(void **state)
{
    augur_err err = { 0 };
    buf out = BUF_INIT;
    ldoc doc;

    (void)state;
    assert_int_equal(ldoc_parse(count_rows, strlen(count_rows), "c.lua", &doc, &err), AUGUR_OK);
    assert_string_equal(doc.name, "count_csv_rows");
    assert_string_equal(doc.description, "Count the data rows of a CSV file.");
    assert_string_equal(doc.kind, "reads");
    assert_int_equal(doc.ninputs, 1);
    assert_string_equal(doc.inputs[0].type, "string");
    assert_string_equal(doc.inputs[0].name, "text");
    assert_string_equal(doc.output, "integer");
    assert_int_equal(ldoc_write(&out, &doc, count_rows, strlen(count_rows)), AUGUR_OK);
    assert_string_equal(buf_str(&out), count_rows);
    buf_free(&out);

    /* Untyped: the parameters, of type any; no @kind: writes. */
    assert_int_equal(ldoc_parse("--- Add.\nfunction add(a, b) return a + b end\n", 38, "a.lua",
                                &doc, &err), AUGUR_OK);
    assert_string_equal(doc.kind, "writes");
    assert_int_equal(doc.ninputs, 2);
    assert_string_equal(doc.inputs[1].name, "b");
    assert_string_equal(doc.inputs[1].type, "any");

    static const struct { const char *src, *msg; } bad[] = {
        { "function f() end\n", "x.lua:1: an action starts with its description" },
        { "---   \nfunction f() end\n", "x.lua:1: the description after '---' is empty" },
        { "--- F.\n-- @kind maybe\nfunction f() end\n", "x.lua:2: @kind must be reads or writes" },
        { "--- F.\n-- @tparam string x\nfunction f(y) end\n", "x.lua:3: the @tparam names" },
        { "--- F.\nlocal function f() end\n", "x.lua:2: expected 'function NAME(...)'" },
        { "--- F.\nfunction t.f() end\n", "x.lua:2: expected a global function" },
        { "--- F.\n-- only comments\n", "x.lua:2: expected 'function NAME(...)' after" },
        { "--- F.\nfunction f(a, xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx)"
          " end\n", "x.lua:2: a parameter name longer than 64 bytes" },
        { "--- F.\nfunction f(...path) end\n", "x.lua:2: expected ',' or ')'" },
        { "--- F.\nfunction f(1a) end\n", "x.lua:2: expected the parameter list" },
        { "--- F.\nfunction f(a,", "x.lua:2: expected the parameter list" },
        { "--- F\r\r.\nfunction f() end\n", "x.lua:1: the description holds a control" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(ldoc_parse(bad[i].src, strlen(bad[i].src), "x.lua", &doc, &err),
                         AUGUR_EINVAL);
        assert_contains(err.msg, bad[i].msg);
    }
    /* Found by fuzz-ldoc: a NUL in the description once made it empty when written back. */
    assert_int_equal(ldoc_parse("--- \0002d.\nfunction f() end\n", 28, "x.lua", &doc, &err),
                     AUGUR_EINVAL);
    assert_contains(err.msg, "x.lua:1: a NUL byte");
}

static void test_validation(void **state)
{
    library *lib = open_lib("v.db", NULL);
    augur_err err = { 0 };
    char *big = malloc(70000);
    action *all;
    size_t n;

    (void)state;
    static const struct { const char *src, *msg; } bad[] = {
        { "--- F.\nfunction f() return + end\n", "f.lua: does not compile: f:2:" },
        { "--- F.\nfunction f() end\nfunction g() end\n",
          "must define exactly the global function 'f' and nothing else, but defines "
          "f:function, g:function" },
        { "--- F.\nfunction f() end\nf = nil\n", "defines no global function" },
        { "--- F.\nfunction f() end\nerror('boom')\n", "its top level fails: f:3: boom" },
        { "--- F.\nfunction f() end\nwhile true do end\n", "its top level fails (instructions)" },
        { "function f() end\n", "an action starts with its description" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(library_add(lib, bad[i].src, strlen(bad[i].src), "f.lua", ACTION_USER,
                                     NULL, &err), AUGUR_EINVAL);
        assert_contains(err.msg, bad[i].msg);
    }
    /* The name the header gives must be the one defined. */
    assert_int_equal(library_add(lib, "--- F.\nfunction f() end\nfunction g() end\ng = nil\n",
                                 49, "f.lua", ACTION_USER, NULL, &err), AUGUR_OK);
    assert_int_equal(library_add(lib, "--- F.\nfunction f() end\0", 24, "nul.lua", ACTION_USER,
                                 NULL, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "nul.lua: the source contains a NUL byte at offset 23");
    memset(big, ' ', 70000);
    memcpy(big, "--- F.\nfunction f() end\n", 24);
    assert_int_equal(library_add(lib, big, 70000, "big.lua", ACTION_USER, NULL, &err),
                     AUGUR_EINVAL);
    assert_contains(err.msg, "big.lua: the source is 70000 bytes, more than the 65536");
    /* Only the valid one was stored. */
    assert_int_equal(library_list(lib, &all, &n, &err), AUGUR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(all[0].doc.name, "f");
    actions_free(all, n);
    free(big);
    library_close(lib);
}

static void test_versions_and_usage(void **state)
{
    library *lib = open_lib("u.db", NULL);
    augur_err err = { 0 };
    action a, *hist;
    size_t n;
    char *v2 = strdup(count_rows);

    (void)state;
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), "c.lua", ACTION_USER, &a,
                                 &err), AUGUR_OK);
    assert_int_equal(a.version, 1);
    assert_int_equal(a.parent, 0);
    assert_int_equal(strlen(a.hash), 40);
    action_free(&a);
    /* The same source again adds nothing; a changed one is version 2. */
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), "c.lua", ACTION_USER, &a,
                                 &err), AUGUR_OK);
    assert_int_equal(a.version, 1);
    action_free(&a);
    *strstr(v2, "n - 1") = ' ';
    assert_int_equal(library_add(lib, v2, strlen(v2), "c.lua", ACTION_GENERATED, &a, &err),
                     AUGUR_OK);
    assert_int_equal(a.version, 2);
    assert_int_equal(a.parent, 1);
    assert_int_equal(a.origin, ACTION_GENERATED);
    action_free(&a);
    assert_int_equal(library_get(lib, "count_csv_rows", 1, &a, &err), AUGUR_OK);
    assert_memory_equal(a.source, count_rows, strlen(count_rows));
    action_free(&a);
    assert_int_equal(library_history(lib, "count_csv_rows", &hist, &n, &err), AUGUR_OK);
    assert_int_equal(n, 2);
    assert_int_equal(hist[1].version, 2);
    actions_free(hist, n);
    assert_int_equal(library_get(lib, "nope", 0, &a, &err), AUGUR_ENOTFOUND);
    assert_contains(err.msg, "no action 'nope'");

    action_use ok = { "count_csv_rows", 0, "t1", 1, NULL, NULL, 1.5 };
    action_use bad = { "count_csv_rows", 1, "t2", 0, "runtime", "attempt to index nil", 2.0 };
    assert_int_equal(library_record_use(lib, &ok, &err), AUGUR_OK);
    assert_int_equal(library_record_use(lib, &ok, &err), AUGUR_OK);
    assert_int_equal(library_record_use(lib, &bad, &err), AUGUR_OK);
    ok.name = "nope";
    assert_int_equal(library_record_use(lib, &ok, &err), AUGUR_ENOTFOUND);
    assert_int_equal(library_get(lib, "count_csv_rows", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.uses, 3);
    assert_int_equal(a.successes, 2);
    assert_string_equal(a.last_error, "runtime: attempt to index nil");
    action_free(&a);

    /* Deprecated: gone from the list, its history kept; purged: gone. */
    assert_int_equal(library_deprecate(lib, "count_csv_rows", &err), AUGUR_OK);
    assert_int_equal(library_list(lib, &hist, &n, &err), AUGUR_OK);
    assert_int_equal(n, 0);
    free(hist);
    assert_int_equal(library_get(lib, "count_csv_rows", 2, &a, &err), AUGUR_OK);
    assert_int_equal(a.deprecated, 1);
    action_free(&a);
    assert_int_equal(library_purge(lib, "count_csv_rows", &err), AUGUR_OK);
    assert_int_equal(library_history(lib, "count_csv_rows", &hist, &n, &err), AUGUR_ENOTFOUND);
    assert_int_equal(library_purge(lib, "count_csv_rows", &err), AUGUR_ENOTFOUND);
    free(v2);
    library_close(lib);
}

static void add_doc(library *lib, const char *name, const char *desc)
{
    augur_err err = { 0 };
    buf src = BUF_INIT;

    buf_printf(&src, "--- %s\n-- @kind reads\nfunction %s() return 1 end\n", desc, name);
    if (library_add(lib, buf_str(&src), src.len, name, ACTION_USER, NULL, &err) != AUGUR_OK)
        fail_msg("add %s: %s", name, err.msg);
    buf_free(&src);
}

static void test_search(void **state)
{
    library *lib = open_lib("s.db", NULL);
    augur_err err = { 0 };
    action_hit *hits;
    size_t n;
    float e_csv[4] = { 1, 0, 0, 0 }, e_web[4] = { 0, 1, 0, 0 }, e_git[4] = { 0, 0, 1, 0 };
    float q[4] = { 0, 0.1f, 1, 0 };

    (void)state;
    add_doc(lib, "count_csv_rows", "Count the data rows of a CSV file.");
    add_doc(lib, "fetch_page_title", "Fetch a web page and return its title.");
    add_doc(lib, "repo_authors", "List the authors of a repository's commits.");
    assert_int_equal(library_search(lib, "how many rows in this csv?", NULL, 0, 0, 10, &hits, &n,
                                    &err), AUGUR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].name, "count_csv_rows");
    assert_string_equal(hits[0].kind, "reads");
    assert_true(hits[0].score > 0);
    free(hits);
    /* Operators and quotes are words like any other. */
    assert_int_equal(library_search(lib, "\"web OR (page* NEAR", NULL, 0, 0, 10, &hits, &n, &err),
                     AUGUR_OK);
    assert_int_equal(n, 1);
    assert_string_equal(hits[0].name, "fetch_page_title");
    free(hits);
    assert_int_equal(library_search(lib, "", NULL, 0, 0, 10, &hits, &n, &err), AUGUR_OK);
    assert_int_equal(n, 0);
    free(hits);
    assert_int_equal(library_search(lib, "x", NULL, 0, 0, 0, &hits, &n, &err), AUGUR_EINVAL);

    /* With embeddings: the cosine finds what no word matches, the mix ranks both. */
    assert_int_equal(library_embed(lib, "count_csv_rows", 0, e_csv, 4, &err), AUGUR_OK);
    assert_int_equal(library_embed(lib, "fetch_page_title", 0, e_web, 4, &err), AUGUR_OK);
    assert_int_equal(library_embed(lib, "repo_authors", 0, e_git, 4, &err), AUGUR_OK);
    assert_int_equal(library_embed(lib, "nope", 0, e_git, 4, &err), AUGUR_ENOTFOUND);
    assert_int_equal(library_search(lib, "who wrote this code", q, 4, 1.0, 2, &hits, &n, &err),
                     AUGUR_OK);
    assert_int_equal(n, 2);
    assert_string_equal(hits[0].name, "repo_authors");
    assert_string_equal(hits[1].name, "fetch_page_title");
    assert_true(hits[0].score > 0.99 * 0.995 && hits[0].score <= 1.0);
    free(hits);
    assert_int_equal(library_search(lib, "csv rows", q, 4, 0.5, 3, &hits, &n, &err), AUGUR_OK);
    /* count_csv_rows: 0.5 x 1 (the best BM25) + 0.5 x 0; repo_authors: 0.5 x 0 + 0.5 x
    ** cos(q, git) = 0.5 x 0.995; fetch_page_title: 0.5 x 0.0995. */
    assert_int_equal(n, 3);
    assert_string_equal(hits[0].name, "count_csv_rows");
    assert_string_equal(hits[1].name, "repo_authors");
    assert_string_equal(hits[2].name, "fetch_page_title");
    assert_true(hits[0].score > 0.4999 && hits[0].score < 0.5001);
    assert_true(hits[1].score > 0.497 && hits[1].score < 0.498);
    assert_true(hits[2].score > 0.049 && hits[2].score < 0.05);
    free(hits);
    /* A word held by more actions than ranking may score (1,000) only fills the places
    ** the rarer words leave: the three rare matches first, then seven of the common. */
    for (int i = 0; i < 1003; i++) {
        char name[32];
        snprintf(name, sizeof name, "common_%d", i);
        add_doc(lib, name, i < 3 ? "Everywhere and seldom." : "Everywhere.");
    }
    assert_int_equal(library_search(lib, "everywhere seldom", NULL, 0, 0, 10, &hits, &n, &err),
                     AUGUR_OK);
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(strncmp(hits[i].name, "common_", 7), 0);
        assert_true(i < 3 ? atoi(hits[i].name + 7) < 3 : atoi(hits[i].name + 7) >= 3);
        assert_true(i == 0 || hits[i].score <= hits[i - 1].score);
    }
    free(hits);
    for (int i = 0; i < 1003; i++) {
        char name[32];
        snprintf(name, sizeof name, "common_%d", i);
        assert_int_equal(library_purge(lib, name, &err), AUGUR_OK);
    }
    /* Many embeddings: a first pass on their signs, then exact cosines; the action whose
    ** embedding is the query's is still found first. */
    for (int i = 0; i < 120; i++) {
        char name[32];
        float v[16];
        snprintf(name, sizeof name, "filler_%d", i);
        add_doc(lib, name, "Something else entirely.");
        for (int d = 0; d < 16; d++)
            v[d] = (float)(((i + 1) * (d + 3) * 7919) % 200 - 100);
        assert_int_equal(library_embed(lib, name, 0, v, 16, &err), AUGUR_OK);
        if (i == 77) {
            for (int d = 0; d < 16; d++)
                v[d] *= 0.5f;
            assert_int_equal(library_search(lib, "", v, 16, 1.0, 1, &hits, &n, &err), AUGUR_OK);
            assert_int_equal(n, 1);
            assert_string_equal(hits[0].name, "filler_77");
            assert_true(hits[0].score > 0.9999);
            free(hits);
        }
    }
    {
        float v[16];
        for (int d = 0; d < 16; d++)
            v[d] = (float)(((33 + 1) * (d + 3) * 7919) % 200 - 100);
        assert_int_equal(library_search(lib, "", v, 16, 1.0, 1, &hits, &n, &err), AUGUR_OK);
        assert_string_equal(hits[0].name, "filler_33");
        free(hits);
    }
    /* Deprecated actions are not found. */
    assert_int_equal(library_deprecate(lib, "repo_authors", &err), AUGUR_OK);
    assert_int_equal(library_search(lib, "csv rows", q, 4, 0.5, 3, &hits, &n, &err), AUGUR_OK);
    for (size_t i = 0; i < n; i++)
        assert_string_not_equal(hits[i].name, "repo_authors");
    free(hits);
    library_close(lib);
}

static sandbox_value *strings2(const char *a, const char *b)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_ARRAY);

    sandbox_value_push(v, NULL, 0, sandbox_value_string(a, strlen(a)));
    sandbox_value_push(v, NULL, 0, sandbox_value_string(b, strlen(b)));
    return v;
}

static void test_run_nested(void **state)
{
    library *lib = open_lib("r.db", NULL);
    sandbox_config cfg = { { 10000000, 16 << 20, 5000, 4096, 1 << 20 }, SANDBOX_INPROC, 1, 10,
                           60, 64 << 20 };
    static const char recurse[] =
        "--- Recurse n levels deep.\n-- @kind reads\n-- @tparam integer n\n"
        "function deep(n) if n == 0 then return 0 end return 1 + deep(n - 1) end\n";
    augur_err err = { 0 };
    sandbox_result res;
    sandbox *sb;
    action a;

    (void)state;
    assert_int_equal(sandbox_new(&sb, &cfg, &err), AUGUR_OK);
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), NULL, ACTION_USER, NULL,
                                 &err), AUGUR_OK);
    assert_int_equal(library_add(lib, sum_rows, strlen(sum_rows), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    assert_int_equal(library_add(lib, recurse, strlen(recurse), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    library_run_opts run = { "sum_rows", strings2("h\n1\n2\n", "h\n3\n"), "task", 0,
                             { 0 }, 1, NULL, 0 };
    assert_int_equal(library_run(lib, sb, &run, &res, &err), AUGUR_OK);
    assert_true(res.ok);
    assert_int_equal(res.value->type, SANDBOX_INT);
    assert_int_equal(res.value->integer, 3);
    sandbox_result_free(&res);
    sandbox_value_free((sandbox_value *)run.args);

    /* Depth: 3 levels pass under a limit of 4, 9 do not. */
    sandbox_value *args = sandbox_value_new(SANDBOX_ARRAY);
    sandbox_value_push(args, NULL, 0, sandbox_value_int(3));
    library_run_opts deep = { "deep", args, NULL, 4, { 0 }, 1, NULL, 0 };
    assert_int_equal(library_run(lib, sb, &deep, &res, &err), AUGUR_OK);
    assert_true(res.ok);
    assert_int_equal(res.value->integer, 3);
    sandbox_result_free(&res);
    args->items[0]->integer = 9;
    assert_int_equal(library_run(lib, sb, &deep, &res, &err), AUGUR_OK);
    assert_false(res.ok);
    assert_contains(res.message, "deep: actions nested deeper than 4");
    sandbox_result_free(&res);
    sandbox_value_free(args);
    assert_int_equal(library_get(lib, "deep", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.uses, 2);
    assert_int_equal(a.successes, 1);
    assert_contains(a.last_error, "runtime: ");
    action_free(&a);

    library_run_opts none = { "missing", NULL, NULL, 0, { 0 }, 0, NULL, 0 };
    assert_int_equal(library_run(lib, sb, &none, &res, &err), AUGUR_ENOTFOUND);
    sandbox_free(sb);
    library_close(lib);
}

static void test_builtins(void **state)
{
    char *db = path_in("b.db");
    library_options opt = { NULL, NULL, 0, 0, 1 };
    sandbox_config cfg = { { 10000000, 16 << 20, 5000, 4096, 1 << 20 }, SANDBOX_INPROC, 1, 10,
                           60, 64 << 20 };
    static const char *const allow[] = { "fs" };
    static const char reader[] =
        "--- Count the rows of a CSV file of the workspace.\n-- @kind reads\n"
        "-- @tparam string path\nfunction file_rows(path)\n"
        "  return count_csv_rows(read_file(path))\nend\n";
    augur_err err = { 0 };
    sandbox_result res;
    library *lib;
    sandbox *sb;
    action a;

    (void)state;
    assert_int_equal(library_open(&lib, db, &opt, &err), AUGUR_OK);
    assert_int_equal(library_get(lib, "read_file", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.origin, ACTION_BUILTIN);
    assert_string_equal(a.doc.kind, "reads");
    action_free(&a);
    assert_int_equal(library_get(lib, "write_file", 0, &a, &err), AUGUR_OK);
    assert_string_equal(a.doc.kind, "writes");
    action_free(&a);
    /* Opening again adds no second version. */
    library_close(lib);
    assert_int_equal(library_open(&lib, db, &opt, &err), AUGUR_OK);
    assert_int_equal(library_get(lib, "final_answer", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.version, 1);
    action_free(&a);

    assert_int_equal(sandbox_new(&sb, &cfg, &err), AUGUR_OK);
    assert_int_equal(sandbox_fs_add(sb, scratch, 1 << 20, &err), AUGUR_OK);
    free(test_write(scratch, "data.csv", "a,b\n1,2\n3,4\n5,6\n"));
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), NULL, ACTION_USER, NULL,
                                 &err), AUGUR_OK);
    assert_int_equal(library_add(lib, reader, strlen(reader), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    sandbox_value *args = sandbox_value_new(SANDBOX_ARRAY);
    sandbox_value_push(args, NULL, 0, sandbox_value_string("data.csv", 8));
    library_run_opts run = { "file_rows", args, NULL, 0, { 0 }, 0, NULL, 0 };
    run.job.allow = allow;
    run.job.nallow = 1;
    assert_int_equal(library_run(lib, sb, &run, &res, &err), AUGUR_OK);
    assert_true(res.ok);
    assert_int_equal(res.value->integer, 3);
    sandbox_result_free(&res);
    /* Without fs the builtin is refused. */
    run.job.nallow = 0;
    assert_int_equal(library_run(lib, sb, &run, &res, &err), AUGUR_OK);
    assert_false(res.ok);
    sandbox_result_free(&res);
    sandbox_value_free(args);

    /* read_file(path, true): CSV rows, a JSON value, Markdown sections; else the text. */
    static const struct { const char *file, *text, *want; } parsed[] = {
        { "q.csv", "h,\"x \"\"q\"\", y\"\r\n1,2\n3,\n",
          "[[\"h\", \"x \\\"q\\\", y\"], [\"1\", \"2\"], [\"3\", \"\"]]" },
        { "d.json", "{\"a\": [1, 2.5, \"s\\u00e9\\n\", true, {\"b\": false}], \"c\": -3}",
          "{\"a\": [1, 2.5, \"s\u00e9\\n\", true, {\"b\": false}], \"c\": -3}" },
        { "n.md", "intro\n# Title #\ntext\n```\n# not a heading\n```\n## Sub\nmore",
          "[{\"level\": 0, \"text\": \"intro\", \"title\": \"\"}, {\"level\": 1, \"text\": "
          "\"text\\n```\\n# not a heading\\n```\", \"title\": \"Title\"}, {\"level\": 2, "
          "\"text\": \"more\", \"title\": \"Sub\"}]" },
        { "t.txt", "plain", "\"plain\"" },
        { "bad.json", "{\"a\": 1,}", NULL },
        { "bad.csv", "\"a\"b\n", NULL },
    };
    run.name = "read_file";
    run.job.nallow = 1;
    for (size_t i = 0; i < sizeof parsed / sizeof *parsed; i++) {
        buf got = BUF_INIT;
        free(test_write(scratch, parsed[i].file, parsed[i].text));
        args = sandbox_value_new(SANDBOX_ARRAY);
        sandbox_value_push(args, NULL, 0, sandbox_value_string(parsed[i].file,
                                                               strlen(parsed[i].file)));
        sandbox_value_push(args, NULL, 0, sandbox_value_bool(1));
        run.args = args;
        assert_int_equal(library_run(lib, sb, &run, &res, &err), AUGUR_OK);
        if (!parsed[i].want) {
            assert_false(res.ok);
            assert_contains(res.message, parsed[i].file);
        } else {
            if (!res.ok)
                fail_msg("%s: %s", parsed[i].file, res.message);
            sandbox_value_write(&got, res.value, NULL);
            assert_string_equal(buf_str(&got), parsed[i].want);
        }
        buf_free(&got);
        sandbox_result_free(&res);
        sandbox_value_free(args);
    }
    sandbox_free(sb);
    library_close(lib);
    free(db);
}

/* Run a builtin with JSON arguments (allowing git and docs) and return its result as JSON. */
static char *run_json(library *lib, sandbox *sb, const char *name, const char *args_json, int *ok)
{
    static const char *const allow[] = { "git", "docs" };
    augur_err err = { 0 };
    sandbox_value *args;
    sandbox_result res;
    buf out = BUF_INIT;

    assert_int_equal(sandbox_value_parse(args_json, strlen(args_json), "args", &args, &err),
                     AUGUR_OK);
    library_run_opts run = { name, args, NULL, 0, { 0 }, 0, NULL, 0 };
    run.job.allow = allow;
    run.job.nallow = 2;
    assert_int_equal(library_run(lib, sb, &run, &res, &err), AUGUR_OK);
    *ok = res.ok;
    if (res.ok)
        sandbox_value_write(&out, res.value, NULL);
    else
        buf_puts(&out, res.message);
    sandbox_result_free(&res);
    sandbox_value_free(args);
    return buf_take(&out);
}

/* In the scratch folder, run shell, then open the library name and an inproc sandbox. */
static void builtin_env(const char *name, const char *shell, library **lib, sandbox **sb)
{
    char *db = path_in(name);
    library_options opt = { NULL, NULL, 0, 0, 1 };
    sandbox_config cfg = { { 10000000, 16 << 20, 5000, 4096, 1 << 20 }, SANDBOX_INPROC, 1, 10,
                           60, 64 << 20 };
    augur_err err = { 0 };
    buf cmd = BUF_INIT;

    buf_printf(&cmd, "cd '%s' && %s", scratch, shell);
    assert_int_equal(system(buf_str(&cmd)), 0);
    buf_free(&cmd);
    assert_int_equal(library_open(lib, db, &opt, &err), AUGUR_OK);
    assert_int_equal(sandbox_new(sb, &cfg, &err), AUGUR_OK);
    free(db);
}

static void test_git_builtins(void **state)
{
    augur_err err = { 0 };
    library *lib;
    sandbox *sb;
    char *text;
    int ok;

    (void)state;
    builtin_env("g.db", "git init -q repo && cd repo && git config user.name Tester && "
                "git config user.email t@example.org && printf 'one\\nneedle two\\n' > a.txt && "
                "git add a.txt && git commit -q -m 'first commit' && printf 'three needle\\n' "
                ">> a.txt && git commit -qam 'second commit'", &lib, &sb);
    assert_int_equal(library_git_add(sb, scratch, &err), AUGUR_OK);

    text = run_json(lib, sb, "git_log", "[\"repo\"]", &ok);
    assert_true(ok);
    assert_contains(text, "\"summary\": \"second commit\"");
    assert_contains(text, "\"summary\": \"first commit\"");
    assert_contains(text, "\"author\": \"Tester\"");
    free(text);
    text = run_json(lib, sb, "git_show", "[\"repo\", \"HEAD~1\", \"a.txt\"]", &ok);
    assert_true(ok);
    assert_string_equal(text, "\"one\\nneedle two\\n\"");
    free(text);
    text = run_json(lib, sb, "git_grep", "[\"repo\", \"needle\"]", &ok);
    assert_true(ok);
    assert_contains(text, "{\"line\": 2, \"path\": \"a.txt\", \"text\": \"needle two\"}");
    assert_contains(text, "{\"line\": 3, \"path\": \"a.txt\", \"text\": \"three needle\"}");
    free(text);
    text = run_json(lib, sb, "git_blame", "[\"repo\", \"a.txt\"]", &ok);
    assert_true(ok);
    assert_contains(text, "\"author\": \"Tester\"");
    assert_contains(text, "\"line\": 3, \"lines\": 1");
    free(text);
    /* Nothing outside the workspace, nothing that is not a repository. */
    text = run_json(lib, sb, "git_log", "[\"..\"]", &ok);
    assert_false(ok);
    assert_contains(text, "not a folder of the workspace");
    free(text);
    text = run_json(lib, sb, "git_show", "[\"repo\", \"nope\"]", &ok);
    assert_false(ok);
    free(text);
    sandbox_free(sb);
    library_close(lib);
}

/* search_text's hits as JSON, which must be a successful run. */
static char *docs_search(library *lib, sandbox *sb, const char *args_json)
{
    int ok;
    char *text = run_json(lib, sb, "search_text", args_json, &ok);

    if (!ok)
        fail_msg("search_text %s: %s", args_json, text);
    return text;
}

static void test_search_text(void **state)
{
    char *index = path_in("docs.db"), *ws = path_in("ws"), *text;
    augur_err err = { 0 };
    library *lib;
    sandbox *sb;
    buf cmd = BUF_INIT;
    int ok;

    (void)state;
    builtin_env("d.db", "mkdir -p ws/docs/sub && cd ws && "
                "printf 'the quick brown fox jumps over the lazy dog\n' > docs/a.txt && "
                "printf 'foxes: a fox, the fox and the fox of the den\n' > docs/sub/b.md && "
                "printf 'nothing to see here\n' > docs/c.txt && "
                "printf 'fox\\000fox' > docs/bin.dat && "
                "head -c 1100000 /dev/zero | tr '\\0' 'x' > docs/huge.txt && "
                "printf ' fox\n' >> docs/huge.txt && printf 'fox\n' > docs/.hidden && "
                "printf 'fox fox fox\n' > ../outside.txt && ln -s ../../outside.txt "
                "docs/out.txt && ln -s .. link && printf 'fox\n' > top.txt", &lib, &sb);
    assert_int_equal(library_docs_add(sb, ws, index, &err), AUGUR_OK);

    /* Ranked by BM25 (porter stems "foxes"), only the folder's plain text files. */
    text = docs_search(lib, sb, "[\"fox\", \"docs\"]");
    assert_non_null(strstr(text, "docs/sub/b.md"));
    assert_true(strstr(text, "docs/sub/b.md") < strstr(text, "docs/a.txt"));
    assert_contains(text, "[fox]");
    assert_null(strstr(text, "c.txt"));
    assert_null(strstr(text, "bin.dat"));
    assert_null(strstr(text, "huge.txt"));
    assert_null(strstr(text, "hidden"));
    assert_null(strstr(text, "out.txt"));
    assert_null(strstr(text, "top.txt"));
    free(text);
    text = docs_search(lib, sb, "[\"fox\", \"docs/\", 1]");
    assert_contains(text, "docs/sub/b.md");
    assert_null(strstr(text, "a.txt"));
    free(text);
    text = docs_search(lib, sb, "[\"fox\"]");
    assert_contains(text, "top.txt");
    free(text);

    /* FTS5's operators in a query are words or nothing. */
    text = docs_search(lib, sb, "[\"fox\\\" OR * NEAR( -lazy ^ : {a}\", \"docs\"]");
    assert_contains(text, "docs/a.txt");
    free(text);
    text = docs_search(lib, sb, "[\"*\\\"()-^\", \"docs\"]");
    assert_string_equal(text, "[]");
    free(text);

    /* A changed file is indexed again, a removed one dropped. */
    buf_printf(&cmd, "cd '%s/docs' && printf 'a zebra now\n' > a.txt && rm sub/b.md", ws);
    assert_int_equal(system(buf_str(&cmd)), 0);
    buf_free(&cmd);
    text = docs_search(lib, sb, "[\"zebra\", \"docs\"]");
    assert_contains(text, "docs/a.txt");
    free(text);
    text = docs_search(lib, sb, "[\"fox quick\", \"docs\"]");
    assert_string_equal(text, "[]");
    free(text);

    /* Nothing outside the workspace. */
    text = run_json(lib, sb, "search_text", "[\"fox\", \"..\"]", &ok);
    assert_false(ok);
    assert_contains(text, "leaves the workspace");
    free(text);
    text = run_json(lib, sb, "search_text", "[\"fox\", \"/etc\"]", &ok);
    assert_false(ok);
    assert_contains(text, "is absolute");
    free(text);
    text = run_json(lib, sb, "search_text", "[\"fox\", \"link\"]", &ok);
    assert_false(ok);
    assert_contains(text, "leads out of the workspace");
    free(text);
    text = run_json(lib, sb, "search_text", "[\"fox\", \"docs\", 0]", &ok);
    assert_false(ok);
    free(text);
    sandbox_free(sb);
    library_close(lib);
    free(index);
    free(ws);
}

/* git's own view of a repository, through the git program. */
static int git_count(const char *repo, const char *what)
{
    char cmd[1024];
    FILE *p;
    int n = -1;

    snprintf(cmd, sizeof cmd, "git -C '%s' %s 2>/dev/null | wc -l", repo, what);
    if ((p = popen(cmd, "r"))) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

static void test_mirror(void **state)
{
    library *lib = open_lib("m.db", "mirror");
    char *repo = path_in("mirror"), *db = path_in("m.db"), *v2 = strdup(count_rows);
    augur_err err = { 0 };
    char *text;
    size_t len;

    (void)state;
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), NULL, ACTION_USER, NULL,
                                 &err), AUGUR_OK);
    *strstr(v2, "n - 1") = ' ';
    assert_int_equal(library_add(lib, v2, strlen(v2), NULL, ACTION_USER, NULL, &err), AUGUR_OK);
    assert_int_equal(library_add(lib, sum_rows, strlen(sum_rows), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    assert_int_equal(git_count(repo, "log --oneline"), 3);
    assert_int_equal(git_count(repo, "log --oneline --grep 'count_csv_rows v2: Count the data'"),
                     1);
    assert_int_equal(git_count(repo, "ls-tree -r --name-only HEAD"), 2);
    {
        char cmd[2048];
        FILE *p;
        snprintf(cmd, sizeof cmd, "git -C '%s' show HEAD:actions/co/count_csv_rows.lua", repo);
        assert_non_null(p = popen(cmd, "r"));
        assert_int_equal(file_read_fd(fileno(p), "git show", 1 << 20, &text, &len, &err),
                         AUGUR_OK);
        pclose(p);
        assert_string_equal(text, v2);
        free(text);
    }
    assert_int_equal(git_count(repo, "diff --stat HEAD~2 HEAD~1"), 2);
    library_close(lib);

    /* A version the mirror lost (a crash between the two) is committed on open. */
    {
        char cmd[2048];
        sqlite3 *raw;
        snprintf(cmd, sizeof cmd, "git -C '%s' reset -q --soft HEAD~1", repo);
        assert_int_equal(system(cmd), 0);
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, "UPDATE action SET mirrored = 0 WHERE name = "
                                           "'sum_rows'", NULL, NULL, NULL), SQLITE_OK);
        sqlite3_close(raw);
    }
    assert_int_equal(git_count(repo, "log --oneline"), 2);
    lib = open_lib("m.db", "mirror");
    assert_int_equal(git_count(repo, "log --oneline"), 3);
    assert_int_equal(git_count(repo, "ls-tree -r --name-only HEAD actions/su/sum_rows.lua"), 1);
    /* Purging removes the file in a commit of its own. */
    assert_int_equal(library_purge(lib, "sum_rows", &err), AUGUR_OK);
    assert_int_equal(git_count(repo, "log --oneline"), 4);
    assert_int_equal(git_count(repo, "ls-tree -r --name-only HEAD"), 1);
    library_close(lib);
    free(repo);
    free(db);
    free(v2);
}

static void test_share(void **state)
{
    library *lib = open_lib("e.db", NULL), *other = open_lib("i.db", NULL);
    char *dir = path_in("export"), *v2 = strdup(count_rows);
    augur_err err = { 0 };
    size_t count, added, skipped;
    action a;

    (void)state;
    assert_int_equal(library_add(lib, count_rows, strlen(count_rows), NULL, ACTION_USER, NULL,
                                 &err), AUGUR_OK);
    assert_int_equal(library_add(lib, sum_rows, strlen(sum_rows), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    assert_int_equal(library_export(lib, dir, 1, &count, &err), AUGUR_OK);
    assert_int_equal(count, 2);
    assert_int_equal(git_count(dir, "ls-files"), 2);
    assert_int_equal(git_count(dir, "log --oneline"), 1);

    assert_int_equal(library_import(other, dir, LIBRARY_FAIL, &added, &skipped, &err), AUGUR_OK);
    assert_int_equal(added, 2);
    assert_int_equal(library_import(other, dir, LIBRARY_FAIL, &added, &skipped, &err), AUGUR_OK);
    assert_int_equal(added, 0);
    assert_int_equal(skipped, 2);
    /* A name the importer has with another source: by the rule. */
    *strstr(v2, "n - 1") = ' ';
    library_purge(other, "count_csv_rows", &err);
    assert_int_equal(library_add(other, v2, strlen(v2), NULL, ACTION_USER, NULL, &err), AUGUR_OK);
    assert_int_equal(library_import(other, dir, LIBRARY_FAIL, &added, &skipped, &err),
                     AUGUR_EINVAL);
    assert_contains(err.msg, "the library already has another 'count_csv_rows'");
    assert_int_equal(library_import(other, dir, LIBRARY_SKIP, &added, &skipped, &err), AUGUR_OK);
    assert_int_equal(added, 0);
    assert_int_equal(library_import(other, dir, LIBRARY_REVISE, &added, &skipped, &err),
                     AUGUR_OK);
    assert_int_equal(added, 1);
    assert_int_equal(library_get(other, "count_csv_rows", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.version, 2);
    assert_string_equal(a.source, count_rows);
    action_free(&a);
    library_close(lib);
    library_close(other);
    free(dir);
    free(v2);
}

/* ---- many processes on one library ------------------------------------------------ */

/* A child's work: n adds, each followed by a search for what it added. */
static int child_adds(int who, int n, int forever)
{
    char *db = path_in("c.db"), *repo = path_in("c.git");
    library_options opt = { repo, NULL, 0, 0, 0 };
    augur_err err = { 0 };
    library *lib;

    if (library_open(&lib, db, &opt, &err) != AUGUR_OK) {
        fprintf(stderr, "worker %d: %s\n", who, err.msg);
        return 1;
    }

    for (int i = 0; forever || i < n; i++) {
        char name[64], desc[128];
        action_hit *hits;
        size_t nh;
        buf src = BUF_INIT;
        snprintf(name, sizeof name, "act_%d_%d", who, i);
        snprintf(desc, sizeof desc, "Worker %d writes item%d%d.", who, who, i);
        buf_printf(&src, "--- %s\n-- @kind reads\nfunction %s() return %d end\n", desc, name, i);
        if (library_add(lib, buf_str(&src), src.len, name, ACTION_GENERATED, NULL, &err) ||
            library_search(lib, name, NULL, 0, 0, 5, &hits, &nh, &err)) {
            fprintf(stderr, "worker %d: %s\n", who, err.msg);
            return 1;
        }
        buf_free(&src);
        free(hits);
        if (nh == 0) {
            fprintf(stderr, "worker %d: %s not found\n", who, name);
            return 1;
        }
    }
    library_close(lib);
    return 0;
}

static int64_t sql_int(const char *db, const char *sql)
{
    sqlite3 *raw;
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_open(db, &raw) == SQLITE_OK &&
        sqlite3_prepare_v2(raw, sql, -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_type(st, 0) == SQLITE_TEXT
                ? strcmp((const char *)sqlite3_column_text(st, 0), "ok") == 0
                : sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(raw);
    return v;
}

/* The library and its mirror agree, and neither is corrupt. */
static void check_consistent(int64_t want)
{
    char *db = path_in("c.db"), *repo = path_in("c.git");
    int64_t heads = sql_int(db, "SELECT count(*) FROM head");
    library *lib;

    assert_int_equal(sql_int(db, "PRAGMA integrity_check"), 1);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM head h LEFT JOIN action a ON a.id = h.id"
                                 " WHERE a.id IS NULL"), 0);
    if (want >= 0)
        assert_int_equal(heads, want);
    /* Opening commits whatever the mirror lacks. */
    lib = open_lib("c.db", "c.git");
    library_close(lib);
    assert_int_equal(sql_int(db, "SELECT count(*) FROM action WHERE mirrored = 0"), 0);
    {
        sqlite3 *raw;
        assert_int_equal(sqlite3_open(db, &raw), SQLITE_OK);
        assert_int_equal(sqlite3_exec(raw, "INSERT INTO action_fts(action_fts, rank)"
                                           " VALUES ('integrity-check', 1)", NULL, NULL, NULL),
                         SQLITE_OK);
        sqlite3_close(raw);
    }
    assert_int_equal(git_count(repo, "ls-tree -r --name-only HEAD"), heads);
    assert_int_equal(git_count(repo, "log --oneline"), heads);
    assert_int_equal(git_count(repo, "fsck --no-dangling"), 0);
    free(db);
    free(repo);
}

static void test_concurrent(void **state)
{
    const char *env = getenv("AUGUR_ACTIONS_ADDS");
    int procs = 8, n = env ? atoi(env) : 20;
    pid_t pids[8];

    (void)state;
    for (int p = 0; p < procs; p++) {
        if ((pids[p] = fork()) == 0)
            _exit(child_adds(p, n, 0));
        assert_true(pids[p] > 0);
    }
    for (int p = 0; p < procs; p++) {
        int status;
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    check_consistent((int64_t)procs * n);
}

static void test_killed(void **state)
{
    char *db = path_in("c.db");
    int64_t before = sql_int(db, "SELECT count(*) FROM head");
    pid_t pid;

    (void)state;
    for (int round = 0; round < 3; round++) {
        int status;
        if ((pid = fork()) == 0)
            _exit(child_adds(100 + round, 0, 1));
        assert_true(pid > 0);
        /* Let it add a few, then kill it wherever it is. */
        while (sql_int(db, "SELECT count(*) FROM head") < before + 5 + round * 7)
            usleep(2000);
        usleep(1000 * (round * 3));
        kill(pid, SIGKILL);
        assert_int_equal(waitpid(pid, &status, 0), pid);
        check_consistent(-1);
        before = sql_int(db, "SELECT count(*) FROM head");
    }
    free(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ldoc),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_versions_and_usage),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_run_nested),
        cmocka_unit_test(test_builtins),
        cmocka_unit_test(test_git_builtins),
        cmocka_unit_test(test_search_text),
        cmocka_unit_test(test_mirror),
        cmocka_unit_test(test_share),
        cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_killed),
    };
    return cmocka_run_group_tests_name("actions", tests, setup, teardown);
}
