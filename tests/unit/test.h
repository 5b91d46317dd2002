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

/* Find the augur program in the build folder, then move into a new scratch folder
** that is also the user's configuration and data home, so that no configuration
** but the test's own is read. The folder (test_rmtree it), or NULL. */
char *test_augur_enter(void);

/* Run augur with the arguments that follow (ended by NULL) and stdin from in,
** into out and err (cleared first); the exit status, as test_run gives it. */
int test_augur(const char *in, buf *out, buf *err, ...);

/* Whether haystack contains needle; on failure print both, for the test log. */
int test_contains(const char *haystack, const char *needle);

#define assert_contains(haystack, needle) assert_true(test_contains((haystack), (needle)))

#endif
