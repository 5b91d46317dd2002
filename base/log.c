/* log.c — leveled diagnostics on stderr. */
#include "base/log.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const log_names[] = { "debug", "info", "warn", "error", "off" };

/* One level for the process: diagnostics are the process's, like stderr itself. */
static atomic_int log_level = LOG_LEVEL_WARN;

int log_level_parse(const char *name)
{
    for (int i = 0; i <= LOG_LEVEL_OFF; i++)
        if (strcasecmp(name, log_names[i]) == 0)
            return i;
    return -1;
}

const char *log_level_name(enum log_level level)
{
    return (unsigned)level <= LOG_LEVEL_OFF ? log_names[level] : "?";
}

int log_init(void)
{
    const char *env = getenv("AUGUR_LOG");
    int level;

    if (!env || !*env)
        return 0;
    level = log_level_parse(env);
    if (level < 0)
        return -1;
    log_set_level((enum log_level)level);
    return 0;
}

void log_set_level(enum log_level level)
{
    atomic_store(&log_level, (int)level);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&log_level);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
    char line[2048];
    va_list ap;
    int n;

    if ((int)level < atomic_load(&log_level) || level >= LOG_LEVEL_OFF)
        return;
    n = snprintf(line, sizeof line, "augur: %s: ", log_names[level]);
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    /* One write per message, so lines from several threads do not interleave. */
    n = (int)strlen(line);
    line[n++] = '\n';
    fwrite(line, 1, (size_t)n, stderr);
}
