/* util.c — helpers behind test.h; linked into every test program. */
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

char *test_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    char *dir;

    if (asprintf(&dir, "%s/augur-test-XXXXXX", base && *base ? base : "/tmp") < 0)
        fail_msg("out of memory");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp %s: %s", dir, strerror(errno));
    return dir;
}

static int test_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void test_rmtree(const char *dir)
{
    nftw(dir, test_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_write(const char *dir, const char *name, const char *text)
{
    char *path;
    FILE *f;

    if (asprintf(&path, "%s/%s", dir, name) < 0)
        fail_msg("out of memory");
    f = fopen(path, "w");
    if (!f)
        fail_msg("%s: %s", path, strerror(errno));
    fputs(text, f);
    fclose(f);
    return path;
}

int test_run(char *const argv[], const char *in, buf *out, buf *err)
{
    int pin[2], pout[2], perr[2], status;
    pid_t pid;

    if (pipe2(pin, O_CLOEXEC) || pipe2(pout, O_CLOEXEC) || pipe2(perr, O_CLOEXEC))
        fail_msg("pipe: %s", strerror(errno));
    pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(pin[0], 0);
        dup2(pout[1], 1);
        dup2(perr[1], 2);
        execv(argv[0], argv);
        _exit(127);
    }
    close(pin[0]);
    close(pout[1]);
    close(perr[1]);
    signal(SIGPIPE, SIG_IGN);
    if (in && write(pin[1], in, strlen(in)) < 0)
        fail_msg("write: %s", strerror(errno));
    close(pin[1]);
    struct pollfd fds[2] = { { pout[0], POLLIN, 0 }, { perr[0], POLLIN, 0 } };
    buf *sinks[2] = { out, err };
    for (int open = 2; open > 0;) {
        if (poll(fds, 2, -1) < 0 && errno != EINTR)
            break;
        for (int i = 0; i < 2; i++) {
            char chunk[4096];
            ssize_t n;
            if (fds[i].fd < 0 || !fds[i].revents)
                continue;
            n = read(fds[i].fd, chunk, sizeof chunk);
            if (n > 0) {
                buf_add(sinks[i], chunk, (size_t)n);
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                open--;
            }
        }
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fail_msg("waitpid: %s", strerror(errno));
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

const char *test_build_dir(void)
{
    const char *b = getenv("BUILD");
    return b && *b ? b : "build";
}

static char test_augur_path[PATH_MAX];

char *test_augur_setup(void)
{
    char rel[PATH_MAX];
    char *scratch;

    snprintf(rel, sizeof rel, "%s/augur", test_build_dir());
    if (!realpath(rel, test_augur_path))
        fail_msg("%s: %s", rel, strerror(errno));
    scratch = test_tmpdir();
    setenv("XDG_CONFIG_HOME", scratch, 1);
    setenv("XDG_DATA_HOME", scratch, 1);
    setenv("XDG_CACHE_HOME", scratch, 1);
    unsetenv("AUGUR_LOG");
    if (chdir(scratch) != 0)
        fail_msg("chdir %s: %s", scratch, strerror(errno));
    return scratch;
}

char *cli_scratch;
buf   cli_out, cli_err;

int cli_setup(void **state)
{
    (void)state;
    cli_scratch = test_augur_setup();
    return 0;
}

int cli_teardown(void **state)
{
    (void)state;
    test_rmtree(cli_scratch);
    free(cli_scratch);
    cli_scratch = NULL;
    buf_free(&cli_out);
    buf_free(&cli_err);
    return 0;
}

int test_augurv(const char *in, const char *const *args, buf *out, buf *err)
{
    char *argv[64] = { test_augur_path };
    int n = 1;

    for (; args[n - 1] && n < 63; n++)
        argv[n] = (char *)args[n - 1];
    buf_clear(out);
    buf_clear(err);
    return test_run(argv, in, out, err);
}

int test_augur(const char *in, buf *out, buf *err, ...)
{
    const char *args[64];
    va_list ap;
    int n = 0;

    va_start(ap, err);
    while (n < 63 && (args[n] = va_arg(ap, const char *)))
        n++;
    va_end(ap);
    args[n] = NULL;
    return test_augurv(in, args, out, err);
}

int test_contains(const char *haystack, const char *needle)
{
    if (haystack && strstr(haystack, needle))
        return 1;
    print_message("expected to find: %s\n          in: %s\n", needle, haystack ? haystack : "(null)");
    return 0;
}
