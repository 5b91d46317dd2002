/*
** watchdog.c — the deadline of in-process runs that have no instruction budget.
**
** Any count hook makes Lua 5.4 trace every instruction, whatever its count, so a
** run without a budget installs none. Instead one thread per sandbox sleeps until
** the deadline of the run it watches and then arms the count hook of the Lua
** thread that run is executing. lua_sethook may be called asynchronously (lua.c
** does it from a signal handler): it sets the traps of the frames on the stack,
** which the VM reads again at jumps, loop back-edges and calls.
**
** The run tells the watchdog which Lua thread executes (watchdog_enter, at every
** resume and return), so a loop inside a coroutine is stopped too. Arming and
** disarming take the lock only: the thread is woken when it sleeps past the new
** deadline, or without one, and otherwise wakes at its old deadline and sleeps on.
*/
#include "sandbox/private.h"
#include "base/time.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

struct watchdog {
    pthread_t       thread;
    pthread_mutex_t lock;
    pthread_cond_t  wake;
    lua_State      *running;        /* NULL: no run is watched */
    lua_Hook        hook;
    uint64_t        deadline_ns;
    uint64_t        sleeping_until; /* 0: asleep without a deadline */
    atomic_int      fired;          /* the hook was armed for the run watched */
    int             quit;
};

static void *watchdog_main(void *arg)
{
    watchdog *w = arg;

    pthread_mutex_lock(&w->lock);
    while (!w->quit) {
        int watching = w->running && !atomic_load(&w->fired);
        if (watching && time_mono_ns() > w->deadline_ns) {
            atomic_store(&w->fired, 1);
            lua_sethook(w->running, w->hook, LUA_MASKCOUNT, 1);
        } else if (watching) {
            struct timespec until = { (time_t)(w->deadline_ns / 1000000000u),
                                      (long)(w->deadline_ns % 1000000000u) };
            w->sleeping_until = w->deadline_ns;
            pthread_cond_timedwait(&w->wake, &w->lock, &until);
        } else {
            w->sleeping_until = 0;
            pthread_cond_wait(&w->wake, &w->lock);
        }
    }
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

int watchdog_new(watchdog **out)
{
    watchdog *w = calloc(1, sizeof *w);
    pthread_condattr_t attr;
    sigset_t all, mask;
    int rc;

    *out = NULL;
    if (!w)
        return AUGUR_ENOMEM;
    /* The deadlines are on time_mono_ns()'s clock. */
    if (pthread_condattr_init(&attr) != 0) {
        free(w);
        return AUGUR_ENOMEM;
    }
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    rc = pthread_cond_init(&w->wake, &attr);
    pthread_condattr_destroy(&attr);
    if (rc != 0 || pthread_mutex_init(&w->lock, NULL) != 0) {
        if (rc == 0)
            pthread_cond_destroy(&w->wake);
        free(w);
        return AUGUR_ENOMEM;
    }
    /* With every signal blocked, so that none meant for the program lands here. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &mask);
    rc = pthread_create(&w->thread, NULL, watchdog_main, w);
    pthread_sigmask(SIG_SETMASK, &mask, NULL);
    if (rc != 0) {
        pthread_mutex_destroy(&w->lock);
        pthread_cond_destroy(&w->wake);
        free(w);
        return AUGUR_ENOMEM;
    }
    /* Its name, for the program's debugger and top. */
    pthread_setname_np(w->thread, "augur-watchdog");
    *out = w;
    return AUGUR_OK;
}

void watchdog_free(watchdog *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->quit = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_mutex_destroy(&w->lock);
    pthread_cond_destroy(&w->wake);
    free(w);
}

void watchdog_arm(watchdog *w, lua_State *L, lua_Hook hook, uint64_t deadline_ns)
{
    pthread_mutex_lock(&w->lock);
    w->running = L;
    w->hook = hook;
    w->deadline_ns = deadline_ns;
    atomic_store(&w->fired, 0);
    if (w->sleeping_until == 0 || w->sleeping_until > deadline_ns)
        pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void watchdog_disarm(watchdog *w)
{
    pthread_mutex_lock(&w->lock);
    w->running = NULL;
    pthread_mutex_unlock(&w->lock);
}

int watchdog_enter(watchdog *w, lua_State *L)
{
    pthread_mutex_lock(&w->lock);
    w->running = L;
    pthread_mutex_unlock(&w->lock);
    return atomic_load(&w->fired);
}

int watchdog_fired(watchdog *w)
{
    return atomic_load(&w->fired);
}
