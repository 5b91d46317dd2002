/*
** macro.h — macro actions: parameterised skills ("walk to the nearest key",
** "craft X") that turn what an agent sees into a sequence of the world's
** actions, written in C or in Lua (run in the sandbox, the way actions the model
** writes will be). A planner uses them as actions of their own: the general agent
** searches over them beside the world's actions, simulating each one's actions
** on a clone.
**
**     macro *m;
**     macro_new_lua("to_key", src, len, sb, &keys_class, &m, &err);
**     int n = macro_expand(m, obs, actions, 64, &err);    // world action numbers
**     macro_free(m);
**
** A Lua macro's source defines `macro(obs)`: obs is the observation as
** state_to_json writes it (entities with their attributes, the grid's rows), and
** the function returns a list of action names ({} when it has nothing to do).
*/
#ifndef AUGUR_MACRO_H
#define AUGUR_MACRO_H

#include <stddef.h>

#include "base/err.h"
#include "sandbox/sandbox.h"
#include "worlds/state.h"
#include "worlds/world.h"

typedef struct macro macro;

enum { MACRO_ACTIONS_MAX = 256 };

/* A C macro: write at most max world actions for obs into out; return how many
** (0: nothing to do), or a negative AUGUR_E* code. */
typedef int (*macro_fn)(void *ud, const state *obs, int *out, int max);

int  macro_new_c(const char *name, macro_fn fn, void *ud, macro **out, augur_err *err);
/* A Lua macro run in sb (not owned) for the world cls; the source is copied. */
int  macro_new_lua(const char *name, const char *source, size_t len, sandbox *sb,
                   const world_class *cls, macro **out, augur_err *err);
void macro_free(macro *m);
const char *macro_name(const macro *m);

/* The macro's actions for obs into out (at most max): how many, or a negative
** AUGUR_E* code with a message (a Lua error, an unknown action name). */
int  macro_expand(macro *m, const state *obs, int *out, int max, augur_err *err);

#endif
