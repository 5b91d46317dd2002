/*
** cli_play.c — `augur play WORLD`: play episodes of a bundled world with the random
** agent, the planner or from the keyboard, drawing it live on a terminal, and
** report the success rates and score (Crafter's, from the paper) at the end; for
** the planner also its forecast accuracy and how long its decisions took.
*/
#include "agent/cli.h"
#include "agent/sandbox_conf.h"
#include "base/buf.h"
#include "base/file.h"
#include "base/json.h"
#include "base/rng.h"
#include "base/time.h"
#include "base/xdg.h"
#include "planner/agent.h"
#include "worlds/world.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum play_agent { PLAY_RANDOM, PLAY_HUMAN, PLAY_PLANNER };

static const char *const play_agent_names[] = { "random", "human", "planner" };

typedef struct play_opts {
    const world_class *cls;
    enum play_agent agent;
    int       json;
    long long episodes, max_steps, budget_us;
    uint64_t  seed;
    const char *model;          /* --world-model: "laws", "laws:FILE", "oracle"; NULL: config */
    const char *dot;            /* --dot FILE */
} play_opts;

typedef struct play_run {
    play_opts   opt;
    world_tally tally;
    double      reward;         /* summed over every step */
    int         draw;           /* draw each step on the terminal */
    int         quit;           /* the person asked to stop */
    uint64_t    rng;            /* the random agent's */
    struct termios saved;
    planner_agent *planner;
    sandbox    *sb;             /* runs the planner's Lua macros */
    macro     **macros;
    int         nmacros;
    double     *decision_us;    /* every decision's time, for the median and p99 */
    size_t      ndecisions, capdecisions;
} play_run;

/* ---- the agents ----------------------------------------------------------- */

/* A legal action chosen uniformly. */
static int play_random(play_run *r, const world *w)
{
    unsigned char legal[256];
    int n = world_legal(w, legal), k;

    if (n <= 0)
        return 0;
    k = (int)(rng_splitmix(&r->rng) % (uint64_t)n);
    for (int a = 0; a < world_action_count(w); a++)
        if (legal[a] && k-- == 0)
            return a;
    return 0;
}

/* Keys a person presses, and the action each names (the original's keyboard
** mapping for Crafter; the moves for any world with move_* actions). */
static const struct { char key; const char *action; } play_keys[] = {
    { 'a', "move_left" }, { 'd', "move_right" }, { 'w', "move_up" }, { 's', "move_down" },
    { ' ', "do" }, { '\t', "sleep" }, { 'r', "place_stone" }, { 't', "place_table" },
    { 'f', "place_furnace" }, { 'p', "place_plant" }, { '1', "make_wood_pickaxe" },
    { '2', "make_stone_pickaxe" }, { '3', "make_iron_pickaxe" }, { '4', "make_wood_sword" },
    { '5', "make_stone_sword" }, { '6', "make_iron_sword" }, { '.', "noop" }, { '.', "wait" },
};

static void play_keys_help(const world_class *cls)
{
    fputs("keys:", stdout);
    for (size_t i = 0; i < sizeof play_keys / sizeof *play_keys; i++)
        if (world_action_find(cls, play_keys[i].action) >= 0)
            printf(" %s=%s", play_keys[i].key == ' ' ? "space" : play_keys[i].key == '\t' ? "tab"
                   : (char[2]){ play_keys[i].key, 0 }, play_keys[i].action);
    fputs(" q=quit\r\n", stdout);
}

/* The action for the next key pressed; -1 when the person quits. */
static int play_human(play_run *r, const world *w)
{
    for (;;) {
        unsigned char ch;
        ssize_t n = read(0, &ch, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || ch == 'q' || ch == 3 || ch == 4) {
            r->quit = 1;
            return -1;
        }
        for (size_t i = 0; i < sizeof play_keys / sizeof *play_keys; i++) {
            int a = world_action_find(w->cls, play_keys[i].action);
            if (play_keys[i].key == (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) && a >= 0)
                return a;
        }
    }
}

/* ---- drawing ------------------------------------------------------------- */

static void play_draw(const world *w, long long episode, long long step, const char *feedback)
{
    buf out = BUF_INIT;

    buf_puts(&out, "\033[H\033[2J");
    world_render_ansi(w, &out);
    buf_printf(&out, "episode %lld, step %lld\n%s\n", episode + 1, step, feedback);
    /* In raw mode a newline does not return the carriage. */
    for (size_t i = 0; i < out.len; i++) {
        if (out.data[i] == '\n')
            putchar('\r');
        putchar(out.data[i]);
    }
    fflush(stdout);
    buf_free(&out);
}

static int play_raw(play_run *r)
{
    struct termios raw;

    if (tcgetattr(0, &r->saved) != 0)
        return -1;
    raw = r->saved;
    raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO | ISIG);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    return tcsetattr(0, TCSAFLUSH, &raw);
}

/* ---- playing ------------------------------------------------------------- */

static int play_decision_add(play_run *r, double us)
{
    if (buf_grow_array(&r->decision_us, &r->capdecisions, r->ndecisions + 1,
                       sizeof *r->decision_us) != AUGUR_OK)
        return AUGUR_ENOMEM;
    r->decision_us[r->ndecisions++] = us;
    return AUGUR_OK;
}

/* The next action: the person's, the planner's (timed), or a random one; -1 to
** stop (the person quit, or the planner failed: err says why). */
static int play_choose(play_run *r, const world *w, augur_err *err)
{
    uint64_t t0;
    int action;

    if (r->opt.agent == PLAY_HUMAN)
        return play_human(r, w);
    if (r->opt.agent == PLAY_RANDOM)
        return play_random(r, w);
    t0 = time_mono_ns();
    if (planner_agent_act(r->planner, w, &action, err) != AUGUR_OK)
        return -1;
    if (play_decision_add(r, (double)(time_mono_ns() - t0) / 1000.0) != AUGUR_OK) {
        augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        return -1;
    }
    return action;
}

/* After a step: the planner checks its forecast and learns, then does its
** deferred work, outside the decision. */
static int play_after(play_run *r, const world *w, int action, const world_step_result *res,
                      augur_err *err)
{
    int rc;

    if (r->opt.agent != PLAY_PLANNER)
        return AUGUR_OK;
    if ((rc = planner_agent_observe(r->planner, w, action, res, err)) != AUGUR_OK)
        return rc;
    return planner_agent_idle(r->planner, err);
}

static void play_draw_planner(const play_run *r, const world *w, long long episode,
                              long long step, const char *feedback)
{
    buf text = BUF_INIT;

    buf_printf(&text, "%s\n", feedback);
    if (r->planner)
        planner_agent_describe(r->planner, &text);
    play_draw(w, episode, step, buf_str(&text));
    buf_free(&text);
}

static int play_episode(play_run *r, world *w, long long episode, augur_err *err)
{
    world_step_result res = { 0 };
    long long step = 0;
    int rc;

    if ((rc = world_reset(w, r->opt.seed + (uint64_t)episode, err)) != AUGUR_OK)
        return rc;
    if (r->planner && (rc = planner_agent_reset(r->planner, w, err)) != AUGUR_OK)
        return rc;
    if (r->draw)
        play_draw_planner(r, w, episode, 0, play_agent_names[r->opt.agent]);
    while (!res.done && step < r->opt.max_steps) {
        int action = play_choose(r, w, err);
        if (action < 0) {
            if (err->code)
                return err->code;
            break;
        }
        memset(&res, 0, sizeof res);
        if ((rc = world_step(w, action, &res, err)) != AUGUR_OK ||
            (rc = play_after(r, w, action, &res, err)) != AUGUR_OK)
            return rc;
        step++;
        r->reward += res.reward;
        world_tally_step(&r->tally, &res);
        if (r->draw) {
            play_draw_planner(r, w, episode, step, res.feedback);
            if (r->opt.agent != PLAY_HUMAN)
                nanosleep(&(struct timespec){ 0, 30 * 1000 * 1000 }, NULL);
        }
    }
    world_tally_episode(&r->tally);
    return AUGUR_OK;
}

static int play_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median and 99th percentile of the decisions' times (sorts them). */
static void play_decision_stats(play_run *r, double *median, double *p99)
{
    *median = *p99 = 0;
    if (!r->ndecisions)
        return;
    qsort(r->decision_us, r->ndecisions, sizeof *r->decision_us, play_cmp);
    *median = r->decision_us[r->ndecisions / 2];
    *p99 = r->decision_us[(size_t)((double)(r->ndecisions - 1) * 0.99)];
}

static void play_report_json(play_run *r, const char *agent)
{
    const world_tally *t = &r->tally;
    buf out = BUF_INIT;

    buf_puts(&out, "{\"world\": ");
    json_quote(&out, r->opt.cls->name, strlen(r->opt.cls->name));
    buf_printf(&out, ", \"agent\": \"%s\", \"seed\": %llu, \"episodes\": %zu, \"steps\": %zu, "
               "\"mean_length\": %.4f, \"mean_reward\": %.4f, \"success_rates\": {", agent,
               (unsigned long long)r->opt.seed, t->episodes, t->steps,
               t->episodes ? (double)t->steps / (double)t->episodes : 0.0,
               t->episodes ? r->reward / (double)t->episodes : 0.0);
    for (int i = 0; i < r->opt.cls->nachievements; i++) {
        buf_puts(&out, i ? ", " : "");
        json_quote(&out, r->opt.cls->achievements[i], strlen(r->opt.cls->achievements[i]));
        buf_printf(&out, ": %.4f", world_tally_rate(t, i));
    }
    buf_printf(&out, "}, \"score\": %.4f", world_tally_score(t));
    if (r->planner) {
        double median, p99;
        play_decision_stats(r, &median, &p99);
        buf_printf(&out, ", \"forecast_accuracy\": %.4f, \"decision_us\": {\"median\": %.1f, "
                   "\"p99\": %.1f}", planner_agent_forecast_accuracy(r->planner), median, p99);
    }
    buf_puts(&out, "}\n");
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

static void play_report_text(play_run *r, const char *agent)
{
    const world_tally *t = &r->tally;

    if (r->planner) {
        double median, p99;
        play_decision_stats(r, &median, &p99);
        printf("forecast accuracy %.3f; decision time median %.1f us, p99 %.1f us\n",
               planner_agent_forecast_accuracy(r->planner), median, p99);
    }

    printf("%s, %s agent, %zu episode%s from seed %llu: %zu steps, mean length %.1f, "
           "mean reward %.2f\n", r->opt.cls->name, agent, t->episodes, t->episodes == 1 ? "" : "s",
           (unsigned long long)r->opt.seed, t->steps,
           t->episodes ? (double)t->steps / (double)t->episodes : 0.0,
           t->episodes ? r->reward / (double)t->episodes : 0.0);
    if (!r->opt.cls->nachievements)
        return;
    printf("%-20s %9s\n", "achievement", "success %");
    for (int i = 0; i < r->opt.cls->nachievements; i++)
        printf("%-20s %9.2f\n", r->opt.cls->achievements[i], world_tally_rate(t, i));
    printf("score %.2f%%\n", world_tally_score(t));
}

static int play_parse(const cli_command *cmd, const char *path, int argc, char **argv,
                      play_opts *o)
{
    long long seed = 1;
    const char *name = NULL;
    int rc = -1;

    o->episodes = 1;
    o->max_steps = LLONG_MAX;
    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        } else if (strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strcmp(a, "--agent") == 0) {
            int k = 0;
            i++;
            while (v && k < 3 && strcmp(v, play_agent_names[k]) != 0)
                k++;
            if (!v || k == 3)
                return cli_usage(path, "--agent takes random, human or planner");
            o->agent = (enum play_agent)k;
        } else if (strcmp(a, "--world-model") == 0) {
            i++;
            if (!v || (strcmp(v, "oracle") != 0 && strcmp(v, "laws") != 0 &&
                       strncmp(v, "laws:", 5) != 0) || strcmp(v, "laws:") == 0)
                return cli_usage(path, "--world-model takes laws, laws:FILE or oracle");
            o->model = v;
        } else if (strcmp(a, "--dot") == 0) {
            i++;
            if (!v || !*v)
                return cli_usage(path, "--dot takes a file");
            o->dot = v;
        } else if (strcmp(a, "--budget-us") == 0) {
            rc = cli_number(path, a, v, 1, 1000000000, &o->budget_us);
            i++;
        } else if (strcmp(a, "--episodes") == 0) {
            rc = cli_number(path, a, v, 1, 100000000, &o->episodes);
            i++;
        } else if (strcmp(a, "--max-steps") == 0) {
            rc = cli_number(path, a, v, 1, LLONG_MAX, &o->max_steps);
            i++;
        } else if (strcmp(a, "--seed") == 0) {
            rc = cli_number(path, a, v, 0, LLONG_MAX, &seed);
            i++;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(path, "unknown option '%s'", a);
        } else if (name) {
            return cli_usage(path, "takes one world, got '%s' and '%s'", name, a);
        } else {
            name = a;
        }
    }
    if (rc >= 0)
        return rc;
    if (!name)
        return cli_usage(path, "which world? (crafter or keys)");
    if (!(o->cls = world_find(name)))
        return cli_usage(path, "no world called '%s' (crafter or keys)", name);
    if (o->agent == PLAY_HUMAN && (o->json || !isatty(0) || !isatty(1)))
        return cli_usage(path, "--agent human plays on a terminal, without --json");
    if (o->agent != PLAY_PLANNER && (o->model || o->dot || o->budget_us))
        return cli_usage(path, "--world-model, --budget-us and --dot are for --agent planner");
    o->seed = (uint64_t)seed;
    return -1;
}

/* The planner's options: [planner] of the configuration, then the command line. */
static int play_planner_opts(const play_opts *po, const config *cfg, planner_opts *o, buf *mem,
                             augur_err *err)
{
    const char *model = po->model ? po->model : config_str(cfg, "planner.world_model", "laws");
    const char *memory = config_str(cfg, "planner.memory", "");
    rollout_opts *ro = &o->rollout;
    int rc;

    *o = planner_opts_default();
    if (strcmp(model, "oracle") != 0 && strcmp(model, "laws") != 0 && strncmp(model, "laws:", 5))
        return augur_err_set(err, AUGUR_ECONFIG, "planner.world_model must be laws, laws:FILE or "
                             "oracle, not '%s'", model);
    o->oracle = strcmp(model, "oracle") == 0;
    o->laws_file = strncmp(model, "laws:", 5) == 0 ? model + 5
                                                   : config_str(cfg, "planner.laws_file", "");
    o->learn_steps = config_int(cfg, "planner.learn_steps", o->learn_steps);
    o->learn.refit_every = config_int(cfg, "planner.refit_every", o->learn.refit_every);
    o->learn.induce.min_support = (int)config_int(cfg, "laws.min_support", 2);
    o->learn.induce.max_conditions = (int)config_int(cfg, "laws.max_conditions", 5);
    o->budget_us = po->budget_us ? po->budget_us : config_int(cfg, "planner.budget_us", 1000);
    o->search.w_cost = config_float(cfg, "planner.w_cost", 1);
    o->search.w_memory = config_float(cfg, "planner.w_memory", 0.5);
    o->search.w_consistency = config_float(cfg, "planner.w_consistency", 0.5);
    o->search.w_h = config_float(cfg, "planner.w_h", 1);
    o->search.max_nodes = config_int(cfg, "planner.max_nodes", 2000);
    o->search.max_model_calls = config_int(cfg, "planner.max_model_calls", 0);
    ro->candidates = (int)config_int(cfg, "planner.rollout_candidates", 3);
    ro->depth = (int)config_int(cfg, "planner.rollout_depth", 2);
    ro->samples = (int)config_int(cfg, "planner.rollout_samples", 3);
    ro->beam = (int)config_int(cfg, "planner.rollout_beam", 2);
    ro->w_prior = config_float(cfg, "planner.w_prior", 2);
    ro->w_progress = config_float(cfg, "planner.w_progress", 1);
    ro->w_risk = config_float(cfg, "planner.w_risk", 1);
    ro->w_confidence = config_float(cfg, "planner.w_confidence", 0.05);
    o->seed = po->seed;
    o->dot = po->dot != NULL;
    if (*memory) {
        buf_puts(mem, memory);
    } else if ((rc = xdg_path(XDG_DATA, NULL, mem, err)) != AUGUR_OK ||
               (rc = file_mkdirs(buf_str(mem), err)) != AUGUR_OK) {
        return rc;
    } else {
        buf_puts(mem, "/plans.sqlite");
    }
    o->memory_path = buf_str(mem);
    return AUGUR_OK;
}

/* The Lua macros [planner] macros names, each called after its file. */
static int play_open_macros(play_run *r, const config *cfg, augur_err *err)
{
    const toml_value *list = config_get(cfg, "planner.macros");
    size_t n = list ? toml_len(list) : 0;
    sandbox_config sc;
    int rc;

    if (n == 0)
        return AUGUR_OK;
    if ((rc = sandbox_conf_read(cfg, &sc, err)) != AUGUR_OK ||
        (rc = sandbox_conf_open(cfg, &sc, NULL, &r->sb, err)) != AUGUR_OK)
        return rc;
    if (!(r->macros = calloc(n, sizeof *r->macros)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *path = toml_str(toml_at(list, i), NULL), *base;
        char name[64], *src;
        size_t len;
        if (!path)
            return augur_err_set(err, AUGUR_ECONFIG, "planner.macros holds file names");
        base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
        snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
        if ((rc = file_read(path, 1 << 20, &src, &len, err)) != AUGUR_OK)
            return rc;
        rc = macro_new_lua(name, src, len, r->sb, r->opt.cls, &r->macros[r->nmacros], err);
        free(src);
        if (rc != AUGUR_OK)
            return rc;
        r->nmacros++;
    }
    return AUGUR_OK;
}

static int play_open_planner(play_run *r, const config *cfg, augur_err *err)
{
    planner_opts o;
    buf mem = BUF_INIT;
    int rc = play_planner_opts(&r->opt, cfg, &o, &mem, err);

    if (rc == AUGUR_OK && (rc = play_open_macros(r, cfg, err)) == AUGUR_OK) {
        o.macros = r->macros;
        o.nmacros = r->nmacros;
        rc = planner_agent_new(r->opt.cls, &o, &r->planner, err);
    }
    buf_free(&mem);
    return rc;
}

static void play_close_planner(play_run *r)
{
    planner_agent_free(r->planner);
    for (int i = 0; i < r->nmacros; i++)
        macro_free(r->macros[i]);
    free(r->macros);
    sandbox_free(r->sb);
}

static int play_write_dot(const play_run *r, augur_err *err)
{
    buf out = BUF_INIT;
    int rc = planner_agent_dot(r->planner, &out);

    if (rc == AUGUR_OK)
        rc = file_write_atomic(r->opt.dot, out.data ? out.data : "", out.len, err);
    buf_free(&out);
    return rc;
}

static int play_run_cmd(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    play_run r;
    augur_err err = { 0 };
    cli_world wc;
    world_config wcfg;
    config *cfg;
    world *w = NULL;
    int rc;

    memset(&r, 0, sizeof r);
    if ((rc = play_parse(cmd, path, argc, argv, &r.opt)) >= 0)
        return rc;
    if (!(cfg = cli_config(c)))
        return CLI_USAGE;
    wcfg = cli_world_config(&wc, cfg, r.opt.cls->name);
    if ((rc = world_new(r.opt.cls, &wcfg, r.opt.seed, &w, &err)) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return rc == AUGUR_ECONFIG ? CLI_USAGE : CLI_FAILED;
    }
    if (world_tally_init(&r.tally, r.opt.cls) != AUGUR_OK) {
        world_free(w);
        fprintf(stderr, "%s: out of memory\n", path);
        return CLI_FAILED;
    }
    r.rng = r.opt.seed ^ 0x5deece66dull;
    r.draw = !r.opt.json && isatty(1);
    if (r.opt.agent == PLAY_PLANNER && (rc = play_open_planner(&r, cfg, &err)) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        play_close_planner(&r);
        world_tally_free(&r.tally);
        world_free(w);
        return rc == AUGUR_ECONFIG || rc == AUGUR_EINVAL ? CLI_USAGE : CLI_FAILED;
    }
    if (r.opt.agent == PLAY_HUMAN && play_raw(&r) != 0) {
        fprintf(stderr, "%s: cannot set up the terminal\n", path);
        rc = AUGUR_EIO;
    } else {
        if (r.opt.agent == PLAY_HUMAN)
            play_keys_help(r.opt.cls);
        for (long long e = 0; e < r.opt.episodes && !r.quit && rc == AUGUR_OK; e++)
            rc = play_episode(&r, w, e, &err);
        if (r.opt.agent == PLAY_HUMAN)
            tcsetattr(0, TCSAFLUSH, &r.saved);
    }
    if (rc == AUGUR_OK && r.opt.dot)
        rc = play_write_dot(&r, &err);
    if (rc == AUGUR_OK) {
        const char *agent = play_agent_names[r.opt.agent];
        if (r.opt.json)
            play_report_json(&r, agent);
        else
            play_report_text(&r, agent);
    } else if (err.code) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    }
    play_close_planner(&r);
    free(r.decision_us);
    world_tally_free(&r.tally);
    world_free(w);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

const cli_command cli_play_command = {
    "play", "WORLD [--agent random|human|planner] [--world-model laws[:FILE]|oracle] "
    "[--episodes N] [--max-steps N] [--seed N] [--budget-us N] [--json] [--dot FILE]",
    "play episodes of a world (crafter, keys) and report success rates and score",
    "options:\n"
    "  --agent random|human|planner\n"
    "                        who acts: uniformly random legal actions (default), the\n"
    "                        keyboard (WASD moves, space do, tab sleep, r t f p place,\n"
    "                        1-6 make, . wait, q quit), or the planner ([planner])\n"
    "  --world-model laws[:FILE]|oracle\n"
    "                        the planner's simulator: the law model learned while\n"
    "                        playing or loaded from FILE (with the agent's view), or\n"
    "                        the full state and the world's exact clones\n"
    "  --budget-us N         the planner's time for one decision (default 1000)\n"
    "  --dot FILE            write the planner's last search tree as Graphviz\n"
    "  --episodes N          episodes to play (default 1); episode i uses seed + i\n"
    "  --max-steps N         end an episode after N steps at most\n"
    "  --seed N              the first episode's seed (default 1); the same seed gives\n"
    "                        the same run\n"
    "  --json                print one JSON object and nothing else: world, agent, seed,\n"
    "                        episodes, steps, mean_length, mean_reward, success_rates\n"
    "                        (percent of episodes per achievement), score (percent);\n"
    "                        with the planner also forecast_accuracy (0-1) and\n"
    "                        decision_us {median, p99}\n"
    "\n"
    "On a terminal each step is drawn as it happens. The score is Crafter's:\n"
    "exp(mean ln(1 + success %)) - 1 over the world's achievements. A world's\n"
    "configuration is the table worlds.NAME of agent.toml.\n",
    play_run_cmd, NULL,
};
