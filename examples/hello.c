/*
** hello.c — the smallest program embedding augur: open an agent with a
** configuration file and report what went wrong, as SQLite programs do.
**
**     cc -o hello hello.c $(pkg-config --cflags --libs augur)
**     ./hello agent.toml
*/
#include <augur.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    augur *ag;
    int rc;

    augur_global_init();
    printf("augur %s\n", augur_version());
    rc = augur_open(&ag, argc > 1 ? argv[1] : NULL);
    if (rc != AUGUR_OK)
        fprintf(stderr, "%s\n", augur_errmsg(ag));
    augur_close(ag);
    return rc == AUGUR_OK ? 0 : 1;
}
