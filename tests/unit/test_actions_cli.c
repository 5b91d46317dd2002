/* test_actions_cli.c — `augur actions` end to end: add, list, show, search, history, run,
** export, import, rm, with --db and --json, on real files and a real git mirror. */
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static const char count_rows[] =
    "--- Count the data rows of a CSV file of the workspace.\n"
    "-- @kind reads\n"
    "-- @tparam string path\n"
    "-- @treturn integer\n"
    "function count_csv_rows(path)\n"
    "  local n = 0\n"
    "  for _ in read_file(path):gmatch('[^\\n]+') do n = n + 1 end\n"
    "  return n - 1\n"
    "end\n";

static void test_add_list_show(void **state)
{
    (void)state;
    free(test_write(cli_scratch, "count.lua", count_rows));
    free(test_write(cli_scratch, "bad.lua", "--- Bad.\nfunction bad() return + end\n"));
    assert_int_equal(run_augur(NULL, "actions", "add", "count.lua", "--db", "lib.db", NULL), 0);
    assert_contains(buf_str(&cli_out), "count_csv_rows v1 ");
    assert_int_equal(run_augur(NULL, "actions", "add", "bad.lua", "--db", "lib.db", NULL), 1);
    assert_contains(buf_str(&cli_err), "bad.lua: does not compile: bad:2:");

    assert_int_equal(run_augur(NULL, "actions", "list", "--db", "lib.db", "--json", NULL), 0);
    assert_contains(buf_str(&cli_out), "{\"name\": \"count_csv_rows\", \"version\": 1, "
                    "\"description\": \"Count the data rows of a CSV file of the workspace.\", "
                    "\"kind\": \"reads\", \"uses\": 0, \"success_rate\": 0}");
    assert_contains(buf_str(&cli_out), "{\"name\": \"read_file\", \"version\": 1");
    assert_int_equal(run_augur(NULL, "actions", "show", "count_csv_rows", "--db", "lib.db", NULL),
                     0);
    assert_string_equal(buf_str(&cli_out), count_rows);
    assert_int_equal(run_augur(NULL, "actions", "show", "nope", "--db", "lib.db", NULL), 1);
    assert_contains(buf_str(&cli_err), "no action 'nope'");

    /* The mirror sits beside the library. */
    assert_int_equal(system("git -C lib.git log --oneline | grep -q 'count_csv_rows v1: Count'"),
                     0);
}

static void test_search_run_history(void **state)
{
    (void)state;
    free(test_write(cli_scratch, "data.csv", "a,b\n1,2\n3,4\n5,6\n"));
    assert_int_equal(run_augur(NULL, "actions", "search", "csv rows", "--db", "lib.db", "--json",
                               "--k", "1", NULL), 0);
    assert_contains(buf_str(&cli_out), "[{\"name\": \"count_csv_rows\", \"version\": 1, ");
    assert_contains(buf_str(&cli_out), "\"kind\": \"reads\", \"score\": ");
    assert_int_equal(strchr(buf_str(&cli_out), '\n') - buf_str(&cli_out), (long)cli_out.len - 1);

    assert_int_equal(run_augur(NULL, "actions", "run", "count_csv_rows", "[\"data.csv\"]", "--db",
                               "lib.db", "--task", "t1", NULL), 0);
    assert_contains(buf_str(&cli_out), "{\"ok\": true, \"result\": 3, ");
    assert_int_equal(run_augur(NULL, "actions", "run", "count_csv_rows", "[\"missing.csv\"]",
                               "--db", "lib.db", NULL), 1);
    assert_contains(buf_str(&cli_out), "\"ok\": false");
    assert_int_equal(run_augur(NULL, "actions", "run", "count_csv_rows", "{}", "--db", "lib.db",
                               NULL), 2);
    assert_contains(buf_str(&cli_err), "ARGS_JSON must be a JSON array");
    free(test_write(cli_scratch, "notes.txt", "the zebra grazes\n"));
    assert_int_equal(run_augur(NULL, "actions", "run", "search_text", "[\"zebras\"]", "--db",
                               "lib.db", NULL), 0);
    assert_contains(buf_str(&cli_out), "\"path\": \"notes.txt\"");
    assert_contains(buf_str(&cli_out), "[zebra]");
    assert_int_equal(system("test -f lib.docs.db"), 0);
    assert_int_equal(run_augur(NULL, "actions", "list", "--db", "lib.db", "--json", NULL), 0);
    assert_contains(buf_str(&cli_out), "\"kind\": \"reads\", \"uses\": 2, \"success_rate\": 0.5}");

    free(test_write(cli_scratch, "count.lua", "--- Count the rows.\n-- @kind reads\n"
                                          "function count_csv_rows(path) return 0 end\n"));
    assert_int_equal(run_augur(NULL, "actions", "add", "count.lua", "--db", "lib.db", NULL), 0);
    assert_contains(buf_str(&cli_out), "count_csv_rows v2 ");
    assert_int_equal(run_augur(NULL, "actions", "history", "count_csv_rows", "--db", "lib.db",
                               NULL), 0);
    assert_contains(buf_str(&cli_out), "v1 ");
    assert_contains(buf_str(&cli_out), "v2 ");
    assert_int_equal(run_augur(NULL, "actions", "show", "count_csv_rows", "--version", "1",
                               "--db", "lib.db", NULL), 0);
    assert_string_equal(buf_str(&cli_out), count_rows);
}

static void test_share_rm(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "actions", "export", "shared", "--git", "--db", "lib.db",
                               NULL), 0);
    assert_contains(buf_str(&cli_out), "exported 11 actions to shared");
    assert_int_equal(system("test -f shared/actions/co/count_csv_rows.lua"), 0);
    assert_int_equal(run_augur(NULL, "actions", "import", "shared", "--db", "other.db", NULL), 0);
    assert_contains(buf_str(&cli_out), "imported 1 actions from shared, skipped 10");
    assert_int_equal(run_augur(NULL, "actions", "import", "shared", "--db", "other.db",
                               "--conflict", "nope", NULL), 2);

    assert_int_equal(run_augur(NULL, "actions", "rm", "count_csv_rows", "--db", "lib.db", NULL),
                     0);
    assert_int_equal(run_augur(NULL, "actions", "list", "--db", "lib.db", NULL), 0);
    assert_null(strstr(buf_str(&cli_out), "count_csv_rows"));
    assert_int_equal(run_augur(NULL, "actions", "history", "count_csv_rows", "--db", "lib.db",
                               NULL), 0);
    assert_int_equal(run_augur(NULL, "actions", "rm", "count_csv_rows", "--purge", "--db",
                               "lib.db", NULL), 0);
    assert_int_equal(run_augur(NULL, "actions", "history", "count_csv_rows", "--db", "lib.db",
                               NULL), 1);
    assert_int_equal(system("git -C lib.git log --oneline | grep -q 'remove count_csv_rows'"), 0);
    assert_int_equal(system("git -C lib.git show HEAD:actions/co/count_csv_rows.lua "
                            "2>/dev/null"), 128 << 8);
}

static void test_usage(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "actions", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "search QUERY");
    assert_int_equal(run_augur(NULL, "actions", "search", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "--json");
    assert_int_equal(run_augur(NULL, "actions", "search", NULL), 2);
    assert_int_equal(run_augur(NULL, "actions", "list", "--bogus", NULL), 2);
    assert_contains(buf_str(&cli_err), "unknown option '--bogus'");
    assert_int_equal(run_augur(NULL, "actions", "search", "x", "--k", "0", NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_list_show),
        cmocka_unit_test(test_search_run_history),
        cmocka_unit_test(test_share_rm),
        cmocka_unit_test(test_usage),
    };
    return cmocka_run_group_tests_name("actions_cli", tests, cli_setup, cli_teardown);
}
