/*
** cli_laws.c — `augur laws`: learn a world's laws from one life, evaluate a law
** file as the OneLife paper does, show one.
*/
#include "agent/cli.h"
#include "base/file.h"
#include "base/json.h"
#include "worlds/laws/laws.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- options --------------------------------------------------------------------------- */

typedef struct laws_cli_opts {
    const char *file;           /* eval, show: the law file; learn: --out */
    const char *world;
    int         json, syntax, random;
    long long   steps, seed, distractors, trials, transitions;
} laws_cli_opts;

/* The settings of [laws], read before the command line overrides them. */
static void laws_cli_defaults(const config *cfg, laws_cli_opts *o)
{
    o->steps = config_int(cfg, "laws.steps", 10000);
    o->seed = config_int(cfg, "laws.seed", 1);
    o->random = strcmp(config_str(cfg, "laws.explorer", "curious"), "random") == 0;
    o->distractors = config_int(cfg, "laws.distractors", 10);
    o->trials = config_int(cfg, "laws.trials", 5);
    o->transitions = config_int(cfg, "laws.transitions", 30);
}

/* Parse argv; -1 to go on, or an exit status. wants: which options the command takes
** ("w" world and explorer, "o" out, "j" json, "e" eval sizes, "s" syntax, "f" a file). */
static int laws_cli_parse(const cli_command *cmd, const char *path, int argc, char **argv,
                          const char *wants, laws_cli_opts *o)
{
    int rc = -1;

    for (int i = 1; i < argc && rc < 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        long long *num = NULL, lo = 0, hi = LLONG_MAX;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        } else if (strchr(wants, 'j') && strcmp(a, "--json") == 0) {
            o->json = 1;
        } else if (strchr(wants, 's') && strcmp(a, "--syntax") == 0) {
            o->syntax = 1;
        } else if (strchr(wants, 'w') && strcmp(a, "--world") == 0 && v) {
            o->world = v;
            i++;
        } else if (strchr(wants, 'w') && strcmp(a, "--explorer") == 0) {
            if (!v || (strcmp(v, "curious") != 0 && strcmp(v, "random") != 0))
                return cli_usage(path, "--explorer takes curious or random");
            o->random = strcmp(v, "random") == 0;
            i++;
        } else if (strchr(wants, 'o') && strcmp(a, "--out") == 0 && v) {
            o->file = v;
            i++;
        } else if (strchr(wants, 'w') && strcmp(a, "--steps") == 0) {
            num = &o->steps;
            lo = 1;
            hi = 100000000;
        } else if ((strchr(wants, 'w') || strchr(wants, 'e')) && strcmp(a, "--seed") == 0) {
            num = &o->seed;
        } else if (strchr(wants, 'e') && strcmp(a, "--distractors") == 0) {
            num = &o->distractors;
            hi = 64;
        } else if (strchr(wants, 'e') && strcmp(a, "--trials") == 0) {
            num = &o->trials;
            lo = 1;
            hi = 1000;
        } else if (strchr(wants, 'e') && strcmp(a, "--transitions") == 0) {
            num = &o->transitions;
            lo = 1;
            hi = 10000;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(path, "unknown option '%s' (or it lacks its value)", a);
        } else if (!strchr(wants, 'f') || o->file) {
            return cli_usage(path, "unexpected argument '%s'", a);
        } else {
            o->file = a;
        }
        if (num) {
            rc = cli_number(path, a, v, lo, hi, num);
            i++;
        }
    }
    if (rc >= 0)
        return rc;
    if ((strchr(wants, 'f') || strchr(wants, 'o')) && !o->file && !o->syntax)
        return cli_usage(path, strchr(wants, 'o') ? "--out FILE is needed" : "which law file?");
    return -1;
}

/* ---- learn -------------------------------------------------------------------------------- */

/* A [laws.WORLD] list of strings from the configuration (NULL when absent). */
static const char **laws_cli_list(const config *cfg, const char *world, const char *key, size_t *n)
{
    char path[160];
    const toml_value *v;
    const char **out;

    snprintf(path, sizeof path, "laws.%s.%s", world, key);
    v = config_get(cfg, path);
    *n = 0;
    if (!v || toml_kind(v) != TOML_ARRAY || !(out = calloc(toml_len(v) + 1, sizeof *out)))
        return NULL;
    for (size_t i = 0; i < toml_len(v); i++)
        if (toml_kind(toml_at(v, i)) == TOML_STRING)
            out[(*n)++] = toml_str(toml_at(v, i), NULL);
    return out;
}

static void laws_cli_report_life(const laws_explore_report *rep, const laws *m, const char *file)
{
    laws_life *life = laws_life_of((laws *)m);

    printf("%s explorer: %ld steps, %s\n", life->explorer, rep->steps,
           rep->died_at >= 0 ? "died" : "alive at the end");
    if (rep->died_at >= 0)
        printf("died at step %ld: health %ld before its last step; run out: %s; %s%snext to it: %s\n",
               rep->died_at, rep->health_before, *rep->run_out ? rep->run_out : "nothing",
               rep->flags, *rep->flags ? "; " : "", *rep->beside ? rep->beside : "nothing");
    printf("%-22s %8s %8s\n", "achievement", "first", "times");
    for (int i = 0; i < rep->nachievements; i++)
        printf("%-22s %8ld %8ld\n", rep->achievements[i].name, rep->achievements[i].first,
               rep->achievements[i].count);
    printf("%-28s %8s\n", "mechanic", "observed");
    for (int i = 0; i < life->nobserved; i++)
        printf("%-28s %8ld\n", life->observed[i].name, life->observed[i].count);
    printf("%zu laws written to %s\n", laws_count(m), file);
}

/* The life's end: induce and fit once more, count the mechanics seen, fit the
** vote weights the PoE-World baseline uses, and write the file. */
static int laws_cli_finish(laws_online *o, const laws_explore_opts *eo, const laws_explore_report *rep,
                           const char *file, augur_err *err)
{
    laws *m = laws_online_model(o);
    laws_life *life = laws_life_of(m);
    laws_fit_report fr;
    buf out = BUF_INIT;
    int rc;

    if ((rc = laws_refit(o, err)) != AUGUR_OK ||
        (rc = laws_count_mechanics(m, laws_online_trace(o), err)) != AUGUR_OK)
        return rc;
    laws_set_vote(m, 1);
    rc = laws_fit(m, laws_online_trace(o), &fr, err);
    laws_set_vote(m, 0);
    if (rc != AUGUR_OK)
        return rc;
    snprintf(life->explorer, sizeof life->explorer, "%s", eo->random ? "random" : "curious");
    life->seed = eo->seed;
    life->steps = rep->steps;
    life->died_at = rep->died_at;
    if ((rc = laws_write(m, &out)) == AUGUR_OK)
        rc = file_write_atomic(file, out.data, out.len, err);
    else
        augur_err_set(err, rc, "laws: out of memory");
    buf_free(&out);
    return rc;
}

static int laws_cmd_learn(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    laws_cli_opts o;
    laws_online_opts oo;
    laws_explore_opts eo;
    laws_explore_report rep;
    augur_err err = { 0 };
    const world_class *cls;
    const char **ignore = NULL, **outside = NULL;
    size_t noutside = 0;
    cli_world wc;
    world_config wcfg;
    laws_online *learner = NULL;
    world *w = NULL;
    laws *m = NULL;
    config *cfg;
    int rc;

    memset(&o, 0, sizeof o);
    o.world = "crafter";
    if (!(cfg = cli_config(c)))
        return CLI_USAGE;
    laws_cli_defaults(cfg, &o);
    if ((rc = laws_cli_parse(cmd, path, argc, argv, "wo", &o)) >= 0)
        return rc;
    if (!(cls = world_find(o.world)))
        return cli_usage(path, "no world called '%s'", o.world);
    memset(&oo, 0, sizeof oo);
    oo.refit_every = config_int(cfg, "laws.refit_every", 1000);
    oo.surprise = config_float(cfg, "laws.surprise", -10);
    oo.induce.min_support = (int)config_int(cfg, "laws.min_support", 2);
    oo.induce.max_conditions = (int)config_int(cfg, "laws.max_conditions", 5);
    ignore = laws_cli_list(cfg, o.world, "ignore", &oo.induce.nignore);
    oo.induce.ignore = ignore;
    outside = laws_cli_list(cfg, o.world, "outside", &noutside);
    eo = (laws_explore_opts){ o.random, o.steps, (uint64_t)o.seed };
    wcfg = cli_world_config(&wc, cfg, o.world);
    rc = world_new(cls, &wcfg, eo.seed, &w, &err);
    if (rc == AUGUR_OK)
        rc = laws_new(cls, &m, &err);
    for (size_t i = 0; i < noutside && rc == AUGUR_OK; i++)
        rc = laws_set_outside(m, outside[i], &err);
    if (rc == AUGUR_OK && (rc = laws_online_new(m, &oo, &learner, &err)) != AUGUR_OK)
        laws_free(m);
    if (rc == AUGUR_OK && (rc = laws_explore(w, &eo, learner, &rep, &err)) == AUGUR_OK &&
        (rc = laws_cli_finish(learner, &eo, &rep, o.file, &err)) == AUGUR_OK)
        laws_cli_report_life(&rep, laws_online_model(learner), o.file);
    if (rc != AUGUR_OK)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    laws_online_free(learner);
    world_free(w);
    free(ignore);
    free(outside);
    return rc == AUGUR_OK ? CLI_OK : rc == AUGUR_ECONFIG ? CLI_USAGE : CLI_FAILED;
}

/* ---- eval --------------------------------------------------------------------------------- */

static void laws_cli_json_score(buf *out, const laws_score *s, long observed)
{
    buf_printf(out, "{\"accuracy\": %.4f, \"mrr\": %.4f, \"fidelity\": %.4f", s->accuracy, s->mrr,
               s->fidelity);
    if (observed >= 0)
        buf_printf(out, ", \"observed\": %ld", observed);
    buf_putc(out, '}');
}

static void laws_cli_json_model(buf *out, const laws_eval_report *r, int k)
{
    buf_puts(out, "\"scenarios\": {");
    for (int i = 0; i < r->n; i++) {
        buf_puts(out, i ? ", " : "");
        json_quote(out, r->rows[i].name, strlen(r->rows[i].name));
        buf_puts(out, ": ");
        laws_cli_json_score(out, &r->rows[i].score[k], r->rows[i].observed);
    }
    buf_puts(out, "}, \"overall\": ");
    laws_cli_json_score(out, &r->overall[k], -1);
}

static void laws_cli_json(const laws_eval_report *r)
{
    buf out = BUF_INIT;

    buf_putc(&out, '{');
    laws_cli_json_model(&out, r, LAWS_MODEL);
    buf_puts(&out, ", \"baselines\": {");
    for (int k = LAWS_MODEL + 1; k < LAWS_NMODELS; k++) {
        buf_printf(&out, "%s\"%s\": {", k > LAWS_MODEL + 1 ? ", " : "", laws_model_names[k]);
        laws_cli_json_model(&out, r, k);
        buf_putc(&out, '}');
    }
    buf_puts(&out, "}}\n");
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
}

static void laws_cli_table(const laws_eval_report *r, const laws_eval_opts *eo)
{
    printf("%d transitions x %d trials per scenario, %d distractors; accuracy / MRR / "
           "fidelity (normalised edit distance, 0 = identical)\n\n", eo->transitions, eo->trials,
           eo->distractors);
    printf("%-27s %4s %3s | %-17s | %-17s | %-17s | %-17s\n", "scenario", "obs", "det", "model",
           "unchanged", "all_laws_vote", "true_simulator");
    for (int i = 0; i < r->n; i++) {
        const laws_eval_row *w = &r->rows[i];
        printf("%-27s %4ld %3s", w->name, w->observed, w->deterministic ? "yes" : "");
        for (int k = 0; k < LAWS_NMODELS; k++)
            printf(" | %5.2f %5.2f %5.2f", w->score[k].accuracy, w->score[k].mrr,
                   w->score[k].fidelity);
        putchar('\n');
    }
    printf("%-27s %8s", "overall", "");
    for (int k = 0; k < LAWS_NMODELS; k++)
        printf(" | %5.2f %5.2f %5.2f", r->overall[k].accuracy, r->overall[k].mrr,
               r->overall[k].fidelity);
    putchar('\n');
}

static int laws_cmd_eval(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    laws_cli_opts o;
    laws_eval_opts eo;
    laws_eval_report r;
    augur_err err = { 0 };
    config *cfg;
    laws *m;
    int rc;

    memset(&o, 0, sizeof o);
    if (!(cfg = cli_config(c)))
        return CLI_USAGE;
    laws_cli_defaults(cfg, &o);
    if ((rc = laws_cli_parse(cmd, path, argc, argv, "fje", &o)) >= 0)
        return rc;
    if ((rc = laws_load(o.file, NULL, &m, &err)) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_FAILED;
    }
    eo = (laws_eval_opts){ (int)o.distractors, (int)o.trials, (int)o.transitions,
                           (uint64_t)o.seed };
    if ((rc = laws_eval(m, &eo, &r, &err)) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    } else {
        if (o.json)
            laws_cli_json(&r);
        else
            laws_cli_table(&r, &eo);
        laws_eval_report_free(&r);
    }
    laws_free(m);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

/* ---- show --------------------------------------------------------------------------------- */

static int laws_cmd_show(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    laws_cli_opts o;
    augur_err err = { 0 };
    buf out = BUF_INIT;
    laws *m;
    int rc;

    (void)c;
    memset(&o, 0, sizeof o);
    if ((rc = laws_cli_parse(cmd, path, argc, argv, "fs", &o)) >= 0)
        return rc;
    if (o.syntax && !o.file) {
        fputs(laws_syntax, stdout);
        return CLI_OK;
    }
    if ((rc = laws_load(o.file, NULL, &m, &err)) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_FAILED;
    }
    if (o.syntax)
        buf_printf(&out, "%s\n", laws_syntax);
    rc = laws_show(m, &out);
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    laws_free(m);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

static const cli_command cmd_learn = {
    "learn", "[--world NAME] [--explorer curious|random] [--steps N] [--seed N] --out FILE",
    "learn a world's laws from one life of exploration and write them to FILE",
    "options:\n"
    "  --world NAME          the world (default crafter)\n"
    "  --explorer KIND       curious: tries what it has not tried, keeps itself alive with\n"
    "                        the laws it has learned; random: uniform actions (laws.explorer)\n"
    "  --steps N             at most N steps in the one life (laws.steps, 10000)\n"
    "  --seed N              the world's and the explorer's seed (laws.seed)\n"
    "  --out FILE            where the law file goes\n"
    "\n"
    "Prints how far the life went (its achievements; when it died and with what: its\n"
    "health before the last step, what it was born with that had run out, and what\n"
    "stood next to it) and how often each scenario's mechanic occurred; the file\n"
    "records the steps, the step it died at and the counts under [life].\n",
    laws_cmd_learn, NULL,
};

static const cli_command cmd_eval = {
    "eval", "FILE [--json] [--seed N] [--transitions N] [--trials N] [--distractors N]",
    "evaluate a law file as the OneLife paper does, beside three baselines",
    "For each scenario of the world's suite: accuracy (the true next state ranked first\n"
    "among the truth, the model's sample and distractors from seven mutator families),\n"
    "mean reciprocal rank, and fidelity (normalised edit distance of a sample from the\n"
    "truth, 0 identical); the same for the baselines unchanged, all_laws_vote and\n"
    "true_simulator. --json prints {\"scenarios\": {NAME: {\"accuracy\", \"mrr\",\n"
    "\"fidelity\", \"observed\"}}, \"overall\": {...}, \"baselines\": {\"unchanged\":\n"
    "{\"scenarios\", \"overall\"}, \"all_laws_vote\": {...}, \"true_simulator\": {...}}}.\n"
    "Defaults from [laws]: 30 transitions, 5 trials, 10 distractors.\n",
    laws_cmd_eval, NULL,
};

static const cli_command cmd_show = {
    "show", "FILE | --syntax",
    "print a law file's laws as sentences (--syntax: the forms laws are written in)",
    NULL, laws_cmd_show, NULL,
};

static const cli_command *const laws_commands[] = { &cmd_learn, &cmd_eval, &cmd_show, NULL };

const cli_command cli_laws_command = {
    "laws", "COMMAND", "learn, evaluate and show a world's laws (OneLife)", NULL, NULL,
    laws_commands,
};
