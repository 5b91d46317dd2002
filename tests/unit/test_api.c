/* test_api.c — the public handle of augur.h: opening, closing, reporting errors. */
#include "test.h"

#include "agent/augur.h"

#include <stdlib.h>
#include <string.h>

static void test_open_defaults(void **state)
{
    augur *ag;

    (void)state;
    assert_int_equal(augur_global_init(), AUGUR_OK);
    assert_string_equal(augur_version(), AUGUR_VERSION);
    assert_int_equal(augur_version_number(), AUGUR_VERSION_NUMBER);
    assert_int_equal(augur_open(&ag, NULL), AUGUR_OK);
    assert_int_equal(augur_errcode(ag), AUGUR_OK);
    assert_string_equal(augur_errmsg(ag), "ok");
    augur_close(ag);
    augur_close(NULL);
    assert_string_equal(augur_errmsg(NULL), "out of memory");
}

static void test_open_errors(void **state)
{
    char *dir = test_tmpdir(), *bad = test_write(dir, "bad.toml", "[log]\nlevel = [1]\n");
    char *good = test_write(dir, "good.toml", "[log]\nlevel = \"info\"\n");
    augur *ag;

    (void)state;
    assert_int_equal(augur_open(&ag, bad), AUGUR_ECONFIG);
    assert_non_null(ag);
    assert_int_equal(augur_errcode(ag), AUGUR_ECONFIG);
    assert_contains(augur_errmsg(ag), "bad.toml:2: 'log.level' must be a string, not an array");
    augur_close(ag);
    assert_int_equal(augur_open(&ag, "/nonexistent/agent.toml"), AUGUR_ENOTFOUND);
    assert_string_equal(augur_errmsg(ag), "/nonexistent/agent.toml: No such file or directory");
    augur_close(ag);
    assert_int_equal(augur_open(&ag, good), AUGUR_OK);
    augur_close(ag);
    free(bad);
    free(good);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_defaults),
        cmocka_unit_test(test_open_errors),
    };
    return cmocka_run_group_tests_name("api", tests, NULL, NULL);
}
