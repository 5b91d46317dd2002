/*
** cli_play.c — `augur play WORLD`: play episodes of a bundled world with the random
** agent or from the keyboard, drawing it live on a terminal, and report the
** success rates and score (Crafter's, from the paper) at the end.
*/
#include "agent/cli.h"
#include "base/json.h"
#include "worlds/world.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

typedef struct play_opts {
    const world_class *cls;
    int       human, json;
    long long episodes, max_steps;
    uint64_t  seed;
} play_opts;

typedef struct play_run {
    play_opts   opt;
    world_tally tally;
    double      reward;         /* summed over every step */
    int         draw;           /* draw each step on the terminal */
    int         quit;           /* the person asked to stop */
    uint64_t    rng;            /* the random agent's */
    struct termios saved;
} play_run;

/* ---- the agents ----------------------------------------------------------- */

static uint64_t play_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A legal action chosen uniformly. */
static int play_random(play_run *r, const world *w)
{
    unsigned char legal[256];
    int n = world_legal(w, legal), k;

    if (n <= 0)
        return 0;
    k = (int)(play_next(&r->rng) % (uint64_t)n);
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

static int play_episode(play_run *r, world *w, long long episode, augur_err *err)
{
    world_step_result res = { 0 };
    long long step = 0;
    int rc;

    if ((rc = world_reset(w, r->opt.seed + (uint64_t)episode, err)) != AUGUR_OK)
        return rc;
    if (r->draw)
        play_draw(w, episode, 0, r->opt.human ? "" : "random agent");
    while (!res.done && step < r->opt.max_steps) {
        int action = r->opt.human ? play_human(r, w) : play_random(r, w);
        if (action < 0)
            break;
        if ((rc = world_step(w, action, &res, err)) != AUGUR_OK)
            return rc;
        step++;
        r->reward += res.reward;
        world_tally_step(&r->tally, &res);
        if (r->draw) {
            play_draw(w, episode, step, res.feedback);
            if (!r->opt.human)
                nanosleep(&(struct timespec){ 0, 30 * 1000 * 1000 }, NULL);
        }
    }
    world_tally_episode(&r->tally);
    return AUGUR_OK;
}

static void play_report_json(const play_run *r, const char *agent)
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
    buf_printf(&out, "}, \"score\": %.4f}\n", world_tally_score(t));
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

static void play_report_text(const play_run *r, const char *agent)
{
    const world_tally *t = &r->tally;

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
            i++;
            if (!v || (strcmp(v, "random") != 0 && strcmp(v, "human") != 0))
                return cli_usage(path, "--agent takes random or human");
            o->human = strcmp(v, "human") == 0;
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
    if (o->human && (o->json || !isatty(0) || !isatty(1)))
        return cli_usage(path, "--agent human plays on a terminal, without --json");
    o->seed = (uint64_t)seed;
    return -1;
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
    if (r.opt.human && play_raw(&r) != 0) {
        fprintf(stderr, "%s: cannot set up the terminal\n", path);
        rc = AUGUR_EIO;
    } else {
        if (r.opt.human)
            play_keys_help(r.opt.cls);
        for (long long e = 0; e < r.opt.episodes && !r.quit && rc == AUGUR_OK; e++)
            rc = play_episode(&r, w, e, &err);
        if (r.opt.human)
            tcsetattr(0, TCSAFLUSH, &r.saved);
    }
    if (rc == AUGUR_OK) {
        const char *agent = r.opt.human ? "human" : "random";
        if (r.opt.json)
            play_report_json(&r, agent);
        else
            play_report_text(&r, agent);
    } else if (err.code) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    }
    world_tally_free(&r.tally);
    world_free(w);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

const cli_command cli_play_command = {
    "play", "WORLD [--agent random|human] [--episodes N] [--max-steps N] [--seed N] [--json]",
    "play episodes of a world (crafter, keys) and report success rates and score",
    "options:\n"
    "  --agent random|human  who acts: uniformly random legal actions (default), or\n"
    "                        the keyboard (WASD moves, space do, tab sleep, r t f p place,\n"
    "                        1-6 make, . wait, q quit)\n"
    "  --episodes N          episodes to play (default 1); episode i uses seed + i\n"
    "  --max-steps N         end an episode after N steps at most\n"
    "  --seed N              the first episode's seed (default 1); the same seed gives\n"
    "                        the same run\n"
    "  --json                print one JSON object and nothing else: world, agent, seed,\n"
    "                        episodes, steps, mean_length, mean_reward, success_rates\n"
    "                        (percent of episodes per achievement), score (percent)\n"
    "\n"
    "On a terminal each step is drawn as it happens. The score is Crafter's:\n"
    "exp(mean ln(1 + success %)) - 1 over the world's achievements. A world's\n"
    "configuration is the table worlds.NAME of agent.toml.\n",
    play_run_cmd, NULL,
};
