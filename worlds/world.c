/* world.c — calling a world through its class, the bundled worlds, scoring. */
#include "worlds/world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const toml_value *world_table_get(void *ud, const char *key)
{
    const toml_value *t = ud;
    return t && toml_kind(t) == TOML_TABLE ? toml_find(t, key, strlen(key)) : NULL;
}

world_config world_config_table(const toml_value *table)
{
    world_config c = { world_table_get, (void *)table };
    return c;
}

const toml_value *world_config_get(const world_config *config, const char *key)
{
    return config && config->get ? config->get(config->ud, key) : NULL;
}

int world_new(const world_class *cls, const world_config *config, uint64_t seed, world **out,
              augur_err *err)
{
    *out = NULL;
    if (!cls)
        return augur_err_set(err, AUGUR_EINVAL, "no world class given");
    return cls->create(config, seed, out, err);
}

void world_free(world *w)
{
    if (w)
        w->cls->destroy(w);
}

int world_reset(world *w, uint64_t seed, augur_err *err)
{
    return w->cls->reset(w, seed, err);
}

int world_observe(const world *w, state *out, augur_err *err)
{
    state_clear(out);
    return w->cls->observe(w, WORLD_VIEW_AGENT, out, err);
}

int world_observe_oracle(const world *w, state *out, augur_err *err)
{
    state_clear(out);
    return w->cls->observe(w, WORLD_VIEW_ORACLE, out, err);
}

int world_legal(const world *w, unsigned char *legal)
{
    return w->cls->legal(w, legal);
}

int world_step(world *w, int action, world_step_result *out, augur_err *err)
{
    memset(out, 0, offsetof(world_step_result, feedback) + 1);
    if (action < 0 || action >= w->cls->nactions)
        return augur_err_set(err, AUGUR_EINVAL, "%s: action %d is out of range (0..%d)",
                             w->cls->name, action, w->cls->nactions - 1);
    return w->cls->step(w, action, out, err);
}

int world_load(world *w, const state *s, augur_err *err)
{
    if (!w->cls->load)
        return augur_err_set(err, AUGUR_EINVAL, "%s: this world cannot load a state", w->cls->name);
    return w->cls->load(w, s, err);
}

int world_clone(const world *w, world **out, augur_err *err)
{
    *out = NULL;
    if (!w->cls->clone)
        return augur_err_set(err, AUGUR_EINVAL, "%s: this world cannot be copied", w->cls->name);
    return w->cls->clone(w, out, err);
}

uint64_t world_hash(const world *w)
{
    return w->cls->hash ? w->cls->hash(w) : 0;
}

double world_distance(const world *w)
{
    return w->cls->distance ? w->cls->distance(w) : 0;
}

int world_render_text(const world *w, buf *out) { return w->cls->render_text(w, out); }
int world_render_ansi(const world *w, buf *out) { return w->cls->render_ansi(w, out); }
int world_to_json(const world *w, buf *out)
{
    state *s;
    int rc;

    if (w->cls->to_json)
        return w->cls->to_json(w, out);
    if (!(s = state_new()))
        return AUGUR_ENOMEM;
    rc = w->cls->observe(w, WORLD_VIEW_ORACLE, s, NULL);
    if (rc == AUGUR_OK)
        rc = state_to_json(s, out);
    state_free(s);
    return rc;
}

const char *world_name(const world *w) { return w->cls->name; }
int world_action_count(const world *w) { return w->cls->nactions; }

const char *world_action_name(const world *w, int action)
{
    return action >= 0 && action < w->cls->nactions ? w->cls->actions[action] : NULL;
}

int world_action_find(const world_class *cls, const char *name)
{
    for (int i = 0; i < cls->nactions; i++)
        if (strcmp(cls->actions[i], name) == 0)
            return i;
    return -1;
}

static const world_class *const world_bundled[] = { &crafter_class, &keys_class, NULL };

const world_class *world_find(const char *name)
{
    for (const world_class *const *c = world_bundled; *c; c++)
        if (strcmp((*c)->name, name) == 0)
            return *c;
    return NULL;
}

const world_class *const *world_list(void)
{
    return world_bundled;
}

/* ---- scoring ------------------------------------------------------------- */

/* The geometric mean of 1 + s_i, less 1: sum_log is the sum of ln(1 + s_i). */
static double world_score_of(double sum_log, size_t n)
{
    return n ? exp(sum_log / (double)n) - 1 : 0;
}

double world_score(const double *success_percent, size_t n)
{
    double sum = 0;

    for (size_t i = 0; i < n; i++)
        sum += log(1 + success_percent[i]);
    return world_score_of(sum, n);
}

int world_tally_init(world_tally *t, const world_class *cls)
{
    size_t n = (size_t)cls->nachievements;

    memset(t, 0, sizeof *t);
    t->cls = cls;
    t->unlocked = calloc(n ? n : 1, sizeof *t->unlocked);
    t->seen = calloc(n ? n : 1, 1);
    if (!t->unlocked || !t->seen) {
        world_tally_free(t);
        return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

void world_tally_free(world_tally *t)
{
    free(t->unlocked);
    free(t->seen);
    t->unlocked = NULL;
    t->seen = NULL;
}

void world_tally_step(world_tally *t, const world_step_result *r)
{
    t->steps++;
    for (size_t e = 0; e < r->nevents; e++)
        for (int i = 0; i < t->cls->nachievements; i++)
            if (strcmp(r->events[e], t->cls->achievements[i]) == 0)
                t->seen[i] = 1;
}

void world_tally_episode(world_tally *t)
{
    for (int i = 0; i < t->cls->nachievements; i++) {
        t->unlocked[i] += t->seen[i];
        t->seen[i] = 0;
    }
    t->episodes++;
}

double world_tally_rate(const world_tally *t, int i)
{
    if (t->episodes == 0 || i < 0 || i >= t->cls->nachievements)
        return 0;
    return 100.0 * (double)t->unlocked[i] / (double)t->episodes;
}

double world_tally_score(const world_tally *t)
{
    double sum = 0;

    for (int i = 0; i < t->cls->nachievements; i++)
        sum += log(1 + world_tally_rate(t, i));
    return world_score_of(sum, (size_t)t->cls->nachievements);
}
