/*
** world.h — the interface every world implements: the bundled ones (Crafter, the
** keys-and-doors example) and the ones a game developer writes to embed augur.
**
** A world is a simulation that an agent acts in, one discrete step at a time. It
** is made of two parts, in the manner of SQLite's virtual tables:
**
**   - a world_class: a static table of facts and functions (name, action names,
**     achievements, and the callbacks below), one per kind of world;
**   - an instance: a struct of the developer's own whose FIRST member is a
**     `world` (holding the class pointer), allocated by the class's create.
**
**     typedef struct door_world {
**         world base;                 // first: augur passes &base around
**         int   x, y, has_key;        // the game's own state
**     } door_world;
**
**     static int door_create(const world_config *config, uint64_t seed, world **out,
**                            augur_err *err)
**     {
**         door_world *d = calloc(1, sizeof *d);
**         if (!d) return augur_err_set(err, AUGUR_ENOMEM, "door: out of memory");
**         d->base.cls = &door_class;
**         *out = &d->base;
**         return door_reset(&d->base, seed, err);
**     }
**
** and callers use the world_* functions below, never the callbacks directly:
**
**     world *w;
**     if (world_new(world_find("crafter"), NULL, 42, &w, &err) != AUGUR_OK) ...
**     world_step_result r;
**     while (!r.done) { world_step(w, action, &r, &err); ... }
**     world_free(w);
**
** Rules every implementation keeps:
**   - No global state. Everything a world needs lives in its instance, so many
**     worlds can live in one process, each used from one thread at a time.
**   - Determinism. Every random choice comes from a generator seeded by create's
**     or reset's seed and kept in the instance: the same seed and the same actions
**     give the same run. A clone carries the generator with it, so a clone and its
**     original stepped alike stay alike.
**   - Bad input never crashes: an action out of range, a step after the episode
**     ended, a malformed configuration each return an AUGUR_E* code with a message.
**   - Actions are integers 0..nactions-1, named by the class's action list.
**
** The agent sees what observe gives: what a player of the game would see, not
** more. observe_oracle gives the full state, for tests and for a mode the user
** asks for explicitly (an "oracle" agent); a world may give the same for both.
*/
#ifndef AUGUR_WORLD_H
#define AUGUR_WORLD_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/toml.h"
#include "worlds/state.h"

typedef struct world world;
typedef struct world_class world_class;

/* Every instance begins with this; cls is set by the class's create. */
struct world {
    const world_class *cls;
};

enum { WORLD_EVENTS_MAX = 16, WORLD_FEEDBACK_MAX = 200 };

/* What one step did. events are names of things that happened, static strings of
** the world's (an achievement unlocked is reported by its name, each time it is
** unlocked); feedback is one short line of text for a model or a person. */
typedef struct world_step_result {
    double      reward;
    int         done;                  /* the episode is over: reset before stepping */
    size_t      nevents;
    const char *events[WORLD_EVENTS_MAX];
    char        feedback[WORLD_FEEDBACK_MAX];
} world_step_result;

enum world_view { WORLD_VIEW_AGENT, WORLD_VIEW_ORACLE };

/* Where a world reads its settings: get returns the value of one of the world's
** keys ("length"), or NULL when it is not set (the world uses its default). augur
** passes the table worlds.NAME of agent.toml, whose schema has already checked
** the keys and their types; a world still refuses a value out of range. */
typedef struct world_config {
    const toml_value *(*get)(void *ud, const char *key);
    void *ud;
} world_config;

/* A world_config reading the keys of a TOML table (NULL: none is set). */
world_config world_config_table(const toml_value *table);

/* The value of key in config (which may be NULL), or NULL. */
const toml_value *world_config_get(const world_config *config, const char *key);

struct world_class {
    const char *name;                  /* "crafter": what `augur play NAME` takes */
    const char *summary;               /* one line */
    int         nactions;
    const char *const *actions;        /* nactions names: "noop", "move_left", ... */
    int         nachievements;         /* 0 when the world has none */
    const char *const *achievements;   /* the names events report them by */

    /* Make an instance from config (NULL: every setting at its default) ready to
    ** play an episode generated from seed. On failure *out is left alone. */
    int  (*create)(const world_config *config, uint64_t seed, world **out, augur_err *err);
    void (*destroy)(world *w);

    /* Start a new episode generated from seed. */
    int  (*reset)(world *w, uint64_t seed, augur_err *err);

    /* Write what the agent sees (view WORLD_VIEW_AGENT) or the full state
    ** (WORLD_VIEW_ORACLE) into out, which the caller made; out is cleared first. */
    int  (*observe)(const world *w, enum world_view view, state *out, augur_err *err);

    /* Set legal[a] to 1 for each action that may be taken now, 0 for the others;
    ** returns how many are legal. An illegal action passed to step is refused. */
    int  (*legal)(const world *w, unsigned char *legal);

    /* Take one action: fill *out. */
    int  (*step)(world *w, int action, world_step_result *out, augur_err *err);

    /* Optional (NULL when the world cannot be copied): an independent copy that
    ** goes on exactly as the original would. */
    int  (*clone)(const world *w, world **out, augur_err *err);

    /* Optional: a hash of the full state; equal worlds hash equal. */
    uint64_t (*hash)(const world *w);

    /* Append the agent's view as compact text for a model (a few lines). */
    int  (*render_text)(const world *w, buf *out);

    /* Append the agent's view for a terminal, with ANSI colours, ending in a
    ** newline; the caller clears the screen. */
    int  (*render_ansi)(const world *w, buf *out);

    /* Optional: append the full state as one JSON object. When NULL, augur writes
    ** the oracle observation with state_to_json. */
    int  (*to_json)(const world *w, buf *out);

    /* Optional: make the world the full state s, as observe_oracle writes it
    ** (what a law model's evaluation and a planner need to simulate from a
    ** state they built); the random generator is kept. On failure (a state the
    ** world cannot be) the world is left as it was. */
    int  (*load)(world *w, const state *s, augur_err *err);

    /* Optional: an estimate of the steps from here to the world's goal that never
    ** exceeds them (a goal distance, a relaxed plan's length): a planner's
    ** heuristic. NULL when the world offers none. */
    double (*distance)(const world *w);
};

/* ---- calling a world ---------------------------------------------------- */

int  world_new(const world_class *cls, const world_config *config, uint64_t seed, world **out,
               augur_err *err);
void world_free(world *w);
int  world_reset(world *w, uint64_t seed, augur_err *err);
int  world_observe(const world *w, state *out, augur_err *err);
int  world_observe_oracle(const world *w, state *out, augur_err *err);
int  world_legal(const world *w, unsigned char *legal);
int  world_step(world *w, int action, world_step_result *out, augur_err *err);

/* AUGUR_EINVAL when the world cannot load states or s is not one it can be. */
int  world_load(world *w, const state *s, augur_err *err);

/* AUGUR_EINVAL when the world cannot be copied. */
int  world_clone(const world *w, world **out, augur_err *err);

/* 0 when the class gives no hash. */
uint64_t world_hash(const world *w);

/* The class's estimate of the steps to its goal; 0 when it gives none. */
double world_distance(const world *w);

int  world_render_text(const world *w, buf *out);
int  world_render_ansi(const world *w, buf *out);
int  world_to_json(const world *w, buf *out);

const char *world_name(const world *w);
int         world_action_count(const world *w);
const char *world_action_name(const world *w, int action);      /* NULL when out of range */
int         world_action_find(const world_class *cls, const char *name);   /* -1: none */

/* ---- the bundled worlds ------------------------------------------------ */

extern const world_class crafter_class;
extern const world_class keys_class;

/* The bundled world called name, or NULL. */
const world_class *world_find(const char *name);

/* The bundled worlds, ended by NULL. */
const world_class *const *world_list(void);

/* ---- scoring ----------------------------------------------------------- */

/* Crafter's score (Hafner 2022): success rates s_i in percent (0..100), one per
** achievement; exp(mean_i ln(1 + s_i)) - 1, in percent. 0 when n is 0. */
double world_score(const double *success_percent, size_t n);

/* Achievement tallies over a run of episodes: the percentage of episodes in which
** each achievement was unlocked at least once. */
typedef struct world_tally {
    const world_class *cls;
    size_t   episodes;
    size_t   steps;
    size_t  *unlocked;          /* per achievement: episodes that unlocked it */
    unsigned char *seen;        /* per achievement: unlocked in the current episode */
} world_tally;

int  world_tally_init(world_tally *t, const world_class *cls);
void world_tally_free(world_tally *t);

/* Count one step's events into the current episode; end it with
** world_tally_episode. */
void world_tally_step(world_tally *t, const world_step_result *r);
void world_tally_episode(world_tally *t);

/* The success rate of achievement i in percent; the score over all of them. */
double world_tally_rate(const world_tally *t, int i);
double world_tally_score(const world_tally *t);

#endif
