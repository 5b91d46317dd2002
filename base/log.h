/*
** log.h — leveled diagnostics on stderr.
**
** Results go to stdout; everything a person might want to know about how the work
** went goes here. The level comes from AUGUR_LOG (debug, info, warn, error, off)
** when the program calls log_init (augur_global_init does); the default is warn.
*/
#ifndef AUGUR_LOG_H
#define AUGUR_LOG_H

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARN, LOG_LEVEL_ERROR, LOG_LEVEL_OFF };

/* Read AUGUR_LOG. Returns -1 (and keeps the level) when it names no level. */
int  log_init(void);
void log_set_level(enum log_level level);
enum log_level log_get_level(void);

/* The level called name ("warn"), or -1. */
int  log_level_parse(const char *name);
const char *log_level_name(enum log_level level);

void log_msg(enum log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

#endif
