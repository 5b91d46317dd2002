/*
** test.h — what the unit tests share: cmocka, and scratch files and processes.
*/
#ifndef AUGUR_TEST_H
#define AUGUR_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/buf.h"
#include "tests/unit/server.h"

/* A new empty directory under $TMPDIR (or /tmp), removed with its contents by
** test_rmtree. Fails the test when it cannot be made. */
char *test_tmpdir(void);
void  test_rmtree(const char *dir);

/* Write text to dir/name and return the path (free it). */
char *test_write(const char *dir, const char *name, const char *text);

/* Run argv (argv[0] a path) with stdin from the string in (NULL: /dev/null),
** collecting stdout and stderr; returns the exit status, or 128 + signal. */
int test_run(char *const argv[], const char *in, buf *out, buf *err);

/* The build folder the tests were built in ($BUILD, default "build"). */
const char *test_build_dir(void);

/* Prepare to run the augur program built beside the tests: find it, make a scratch
** folder, move into it, make it the user's configuration, data and cache home and unset
** AUGUR_LOG, so no configuration or data but the test's own is read. Returns the scratch folder (test_rmtree
** and free it); fails the test when the program is missing. */
char *test_augur_setup(void);

/* Run augur with args (NULL-terminated, without the program's name) and stdin from
** in (NULL: empty); out and err are cleared first. Returns the exit status. */
int test_augurv(const char *in, const char *const *args, buf *out, buf *err);
int test_augur(const char *in, buf *out, buf *err, ...);

/* The command-line tests' fixture, as a cmocka group's setup and teardown:
** test_augur_setup's scratch folder in cli_scratch, and the last run's output
** in cli_out and cli_err. */
extern char *cli_scratch;
extern buf   cli_out, cli_err;
int cli_setup(void **state);
int cli_teardown(void **state);

#define run_augur(in, ...) test_augur((in), &cli_out, &cli_err, __VA_ARGS__)

/* Whether haystack contains needle; on failure print both, for the test log. */
int test_contains(const char *haystack, const char *needle);

#define assert_contains(haystack, needle) assert_true(test_contains((haystack), (needle)))

#endif
