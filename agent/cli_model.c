/*
** cli_model.c — `augur model`: inspect a GGUF file, tokenize and detokenize with it,
** run it (generate, evaluate, benchmark, measure perplexity), and make random-weight
** models of any shape.
*/
#include "agent/cli.h"
#include "agent/model_conf.h"
#include "base/file.h"
#include "base/time.h"
#include "model/engine.h"
#include "model/generate.h"
#include "model/gguf.h"
#include "model/info.h"
#include "model/quant.h"
#include "model/sample.h"
#include "model/synth.h"
#include "model/tokenizer.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { MODEL_STDIN_MAX = 256u << 20 };

/* "12.3 MiB" */
static const char *model_bytes(uint64_t n, char *out, size_t size)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(out, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return out;
}

/* "1.23 B" */
static const char *model_count(uint64_t n, char *out, size_t size)
{
    if (n >= 1000000000)
        snprintf(out, size, "%.2f B", (double)n / 1e9);
    else if (n >= 1000000)
        snprintf(out, size, "%.2f M", (double)n / 1e6);
    else if (n >= 1000)
        snprintf(out, size, "%.1f K", (double)n / 1e3);
    else
        snprintf(out, size, "%llu", (unsigned long long)n);
    return out;
}

static int model_file_open(const char *path, const char *cmd, gguf **g)
{
    augur_err err = { 0 };

    if (gguf_open(g, path, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static void info_print(const char *path, const gguf *g, const model_info *m)
{
    char a[32], b[32], c[32];

    printf("file:           %s (GGUF version %u, %s)\n", path, gguf_version(g),
           model_bytes(gguf_file_size(g), a, sizeof a));
    printf("architecture:   %.*s", (int)m->arch.len, m->arch.ptr ? m->arch.ptr : "unknown");
    if (m->name.ptr)
        printf(" (%.*s)", (int)m->name.len, m->name.ptr);
    printf("\nparameters:     %s (%llu)\n", model_count(m->params, a, sizeof a),
           (unsigned long long)m->params);
    if (m->experts > 0)
        printf("experts:        %lld, %lld used per token (%s parameters in experts)\n",
               (long long)m->experts, (long long)m->experts_used,
               model_count(m->expert_params, a, sizeof a));
    else
        printf("experts:        none (dense)\n");
    printf("active/token:   %s parameters\n", model_count(m->active_params, a, sizeof a));
    printf("shape:          %lld layers, width %lld, %lld heads (%lld for K/V), context %lld\n",
           (long long)m->layers, (long long)m->width, (long long)m->heads,
           (long long)m->heads_kv, (long long)m->context);
    printf("tensors:        %llu, %s\n", (unsigned long long)m->tensors,
           model_bytes(m->tensor_bytes, a, sizeof a));
    for (int i = 0; i < m->n_types; i++)
        printf("  %-8s %6llu tensors  %10s\n", ggml_type_get(m->types[i].type)->name,
               (unsigned long long)m->types[i].tensors,
               model_bytes(m->types[i].bytes, a, sizeof a));
    if (m->tokenizer.ptr)
        printf("tokenizer:      %.*s, %llu tokens\n", (int)m->tokenizer.len, m->tokenizer.ptr,
               (unsigned long long)m->vocab_size);
    else
        printf("tokenizer:      none\n");
    printf("chat template:  %s\n", m->has_chat_template ? "yes" : "no");
    printf("memory:         %s weights + %s KV cache (f32, %lld positions) = %s\n",
           model_bytes(m->tensor_bytes, a, sizeof a), model_bytes(m->kv_bytes, b, sizeof b),
           (long long)m->context, model_bytes(m->tensor_bytes + m->kv_bytes, c, sizeof c));
}

static int model_cmd_info(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    model_info m;
    gguf *g;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    (void)c;
    if (rc >= 0)
        return rc;
    if ((rc = model_file_open(argv[1], path, &g)) != CLI_OK)
        return rc;
    model_info_get(g, &m);
    info_print(argv[1], g, &m);
    gguf_close(g);
    return CLI_OK;
}

/* The file's tokenizer, or a message and NULL. */
static tokenizer *model_tokenizer(const char *file, const char *cmd, gguf **g)
{
    augur_err err = { 0 };
    tokenizer *tok;

    if (model_file_open(file, cmd, g) != CLI_OK)
        return NULL;
    if (tokenizer_new(&tok, *g, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s: %s\n", cmd, file, err.msg);
        gguf_close(*g);
        return NULL;
    }
    return tok;
}

static int model_read_stdin(const char *cmd, char **text, size_t *len)
{
    augur_err err = { 0 };

    if (file_read_fd(0, "stdin", MODEL_STDIN_MAX, text, len, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int model_cmd_tokenize(cli *c, const cli_command *cmd, const char *path, int argc,
                              char **argv)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    const char *file = NULL;
    unsigned flags = 0;
    tokenizer *tok;
    char *text = NULL;
    size_t len;
    gguf *g;
    int rc;

    (void)c;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        } else if (strcmp(argv[i], "--bos") == 0) {
            flags |= TOKENIZE_ADD_SPECIAL;
        } else if (strcmp(argv[i], "--parse-special") == 0) {
            flags |= TOKENIZE_PARSE_SPECIAL;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage(path, "unknown option '%s'", argv[i]);
        } else if (file) {
            return cli_usage(path, "expected one FILE, got '%s' and '%s'", file, argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return cli_usage(path, "expected %s", cmd->args);
    if (!(tok = model_tokenizer(file, path, &g)))
        return CLI_FAILED;
    rc = model_read_stdin(path, &text, &len);
    if (rc == CLI_OK && tokenizer_encode(tok, text, len, flags, &ids, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    }
    for (size_t i = 0; rc == CLI_OK && i < ids.len; i++)
        printf("%s%ld", i ? " " : "", (long)ids.ids[i]);
    if (rc == CLI_OK)
        putchar('\n');
    if (rc == CLI_OK && fflush(stdout) != 0)
        rc = CLI_FAILED;
    free(text);
    token_list_free(&ids);
    tokenizer_free(tok);
    gguf_close(g);
    return rc;
}

/* The ids in text, separated by white space; a message and -1 for anything else. */
static int model_parse_ids(const char *cmd, const char *text, token_list *ids)
{
    const char *p = text;

    for (;;) {
        char *end;
        long id;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return 0;
        errno = 0;
        id = strtol(p, &end, 10);
        if (end == p || errno || id < 0 || id > INT32_MAX ||
            (*end && !isspace((unsigned char)*end))) {
            fprintf(stderr, "%s: '%.*s' is not a token id\n", cmd, (int)strcspn(p, " \t\r\n"), p);
            return -1;
        }
        if (token_list_push(ids, (int32_t)id) != AUGUR_OK)
            return -1;
        p = end;
    }
}

static int model_cmd_detokenize(cli *c, const cli_command *cmd, const char *path, int argc,
                                char **argv)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    buf out = BUF_INIT;
    tokenizer *tok;
    char *text = NULL;
    size_t len;
    gguf *g;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    (void)c;
    if (rc >= 0)
        return rc;
    if (!(tok = model_tokenizer(argv[1], path, &g)))
        return CLI_FAILED;
    rc = model_read_stdin(path, &text, &len);
    if (rc == CLI_OK && model_parse_ids(path, text, &ids) != 0)
        rc = CLI_FAILED;
    if (rc == CLI_OK &&
        tokenizer_decode(tok, ids.ids, ids.len, DETOKENIZE_SPECIAL, &out, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    }
    if (rc == CLI_OK && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0))
        rc = CLI_FAILED;
    free(text);
    buf_free(&out);
    token_list_free(&ids);
    tokenizer_free(tok);
    gguf_close(g);
    return rc;
}

/* ---- running models: run, eval, bench, perplexity, synth --------------------------- */

/* What the engine commands are told: options and positional arguments. */
typedef struct model_args {
    const char  *pos[2];
    int          n_pos;
    const char  *prompt, *tokens, *out, *arch, *type;
    const char  *routings[8];
    int          n_routings;
    const char  *stops[16];
    int          n_stops;
    long long    n, greedy, seed, threads, ctx, prompt_len, reps, stream_mib;
    long long    width, layers, heads, heads_kv, head_dim, experts, experts_used, ff, ff_shared;
    long long    vocab;
    double       temp, top_k, top_p, min_p, repeat_penalty;
    int          json, tied, has_seed, has_temp, has_top_k, has_top_p, has_min_p, has_penalty;
} model_args;

enum opt_kind { OPT_STR, OPT_INT, OPT_NUM, OPT_FLAG, OPT_LIST };

typedef struct model_opt {
    const char   *name;
    enum opt_kind kind;
    size_t        at;          /* offsetof the value in model_args */
    size_t        has;         /* offsetof its "given" flag, or 0 */
    long long     lo, hi;      /* OPT_INT bounds; OPT_LIST capacity in hi */
} model_opt;

#define A(field) offsetof(model_args, field)

/* The options every command that runs a model takes. */
#define ENGINE_OPTS                                                                         \
    { "--routing", OPT_LIST, A(routings), A(n_routings), 0, 1 },                            \
    { "--threads", OPT_INT, A(threads), 0, 1, 256 },                                        \
    { "--ctx", OPT_INT, A(ctx), 0, 1, 1 << 24 },                                            \
    { NULL, 0, 0, 0, 0, 0 }

static int model_number(const char *path, const char *opt, const char *v, double *out)
{
    char *end;

    errno = 0;
    *out = v ? strtod(v, &end) : 0;
    if (!v || end == v || *end || errno || !isfinite(*out))
        return cli_usage(path, "%s needs a number, got '%s'", opt, v ? v : "nothing");
    return -1;
}

static int model_integer(const char *path, const model_opt *o, const char *v, long long *out)
{
    char *end;

    errno = 0;
    *out = v ? strtoll(v, &end, 10) : 0;
    if (!v || end == v || *end || errno || *out < o->lo || *out > o->hi)
        return cli_usage(path, "%s needs a whole number from %lld to %lld, got '%s'", o->name,
                         o->lo, o->hi, v ? v : "nothing");
    return -1;
}

/* Options of opts and positional arguments (exactly npos of them) into a. */
static int model_parse(const cli_command *cmd, const char *path, int argc, char **argv,
                       const model_opt *opts, int npos, model_args *a)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const model_opt *o = NULL;
        int rc = -1;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        }
        for (const model_opt *p = opts; p->name && !o; p++)
            if (strcmp(arg, p->name) == 0)
                o = p;
        if (!o && arg[0] == '-' && arg[1])
            return cli_usage(path, "unknown option '%s'", arg);
        if (!o) {
            if (a->n_pos == npos)
                return cli_usage(path, "expected %s; '%s' is one argument too many", cmd->args,
                                 arg);
            a->pos[a->n_pos++] = arg;
            continue;
        }
        if (o->has && o->kind != OPT_LIST)
            *(int *)((char *)a + o->has) = 1;
        if (o->kind == OPT_FLAG) {
            *(int *)((char *)a + o->at) = 1;
            continue;
        }
        if (++i == argc)
            return cli_usage(path, "%s needs a value", o->name);
        if (o->kind == OPT_STR) {
            *(const char **)((char *)a + o->at) = argv[i];
        } else if (o->kind == OPT_INT) {
            rc = model_integer(path, o, argv[i], (long long *)((char *)a + o->at));
        } else if (o->kind == OPT_NUM) {
            rc = model_number(path, o->name, argv[i], (double *)((char *)a + o->at));
        } else {
            int *count = (int *)((char *)a + o->has);
            if (*count == o->hi)
                return cli_usage(path, "%s given more than %lld times", o->name, o->hi);
            ((const char **)((char *)a + o->at))[(*count)++] = argv[i];
        }
        if (rc >= 0)
            return rc;
    }
    if (a->n_pos < npos)
        return cli_usage(path, "expected %s", cmd->args);
    return -1;
}

/* Ctrl-C stops generation between tokens (a second one ends the program). */
static atomic_int model_interrupted;

static void model_on_sigint(int sig)
{
    (void)sig;
    if (atomic_exchange(&model_interrupted, 1))
        _exit(130);
}

/* [model], [model.routing] and [model.sampling]: -1 to go on, or an exit status. */
static int model_settings(cli *c, model_local_config *lc)
{
    augur_err err = { 0 };
    config *cfg = cli_config(c);

    if (!cfg)
        return CLI_USAGE;
    if (model_conf_local(cfg, lc, &err) != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_USAGE;
    }
    return -1;
}

/* Engine options and routing: [model] and [model.routing], then the command line. */
static int model_engine_open(cli *c, const char *path, const model_args *a, engine **e)
{
    model_local_config lc;
    augur_err err = { 0 };
    int rc;

    *e = NULL;
    if ((rc = model_settings(c, &lc)) >= 0)
        return rc;
    if (a->threads)
        lc.engine.threads = (int)a->threads;
    if (a->ctx)
        lc.engine.context = (int)a->ctx;
    if (a->n_routings && engine_routing_parse(a->routings[0], &lc.routing, &err) != AUGUR_OK)
        return cli_usage(path, "--routing %s", err.msg);
    if (engine_open(e, a->pos[0], &lc.engine, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_FAILED;
    }
    if (engine_set_routing(*e, &lc.routing, &err) != AUGUR_OK) {
        engine_free(*e);
        *e = NULL;
        return cli_usage(path, "model.%s", err.msg);
    }
    return CLI_OK;
}

/* "experts/token 3.10 (by layer: 4.2 3.9 ...)" */
static void model_experts_line(FILE *f, const engine *e)
{
    char routing[64];

    engine_routing_name(e, routing, sizeof routing);
    fprintf(f, "routing %s", routing);
    if (engine_shape_of(e)->experts == 0) {
        fputc('\n', f);
        return;
    }
    fprintf(f, ", experts/token %.2f (by layer:", engine_experts_mean(e, -1));
    for (int l = 0; l < engine_shape_of(e)->layers; l++)
        fprintf(f, " %.2f", engine_experts_mean(e, l));
    fputs(")\n", f);
}

static void model_memory_line(FILE *f, const engine *e)
{
    engine_memory m;
    char a[32], b[32], c[32], d[32], k[32];

    if (engine_memory_get(e, &m, NULL) != AUGUR_OK)
        return;
    fprintf(f, "memory: RSS %s, of which allocated %s (the KV cache holds %s for %d positions, "
            "resident as filled); weights %s, %s of them in memory, %s\n",
            model_bytes(m.rss, a, sizeof a), model_bytes(m.rss_anon, d, sizeof d),
            model_bytes(m.kv, k, sizeof k), engine_context(e), model_bytes(m.weights, c, sizeof c),
            model_bytes(m.weights_resident, b, sizeof b),
            engine_loaded(e) ? "loaded into huge-page memory" : "in the file's mapping");
}

/* [model.sampling], then the command line. */
static int model_sampling(cli *c, const char *path, const model_args *a, sampler_params *p)
{
    model_local_config lc;
    int rc;

    if ((rc = model_settings(c, &lc)) >= 0)
        return rc;
    *p = lc.sampling;
    if (a->has_temp)
        p->temperature = a->temp;
    if (a->has_top_k)
        p->top_k = (int)a->top_k;
    if (a->has_top_p)
        p->top_p = a->top_p;
    if (a->has_min_p)
        p->min_p = a->min_p;
    if (a->has_penalty)
        p->repeat_penalty = a->repeat_penalty;
    if (a->has_seed)
        p->seed = (uint64_t)a->seed;
    if (a->has_top_k && (a->top_k < 0 || a->top_k != floor(a->top_k)))
        return cli_usage(path, "--top-k needs a whole number >= 0");
    return -1;
}

static int model_print_text(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    return fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0;
}

static const model_opt run_opts[] = {
    { "-p", OPT_STR, A(prompt), 0, 0, 0 },
    { "--prompt", OPT_STR, A(prompt), 0, 0, 0 },
    { "-n", OPT_INT, A(n), 0, 0, 1 << 24 },
    { "--seed", OPT_INT, A(seed), A(has_seed), 0, LLONG_MAX },
    { "--temp", OPT_NUM, A(temp), A(has_temp), 0, 0 },
    { "--top-k", OPT_NUM, A(top_k), A(has_top_k), 0, 0 },
    { "--top-p", OPT_NUM, A(top_p), A(has_top_p), 0, 0 },
    { "--min-p", OPT_NUM, A(min_p), A(has_min_p), 0, 0 },
    { "--repeat-penalty", OPT_NUM, A(repeat_penalty), A(has_penalty), 0, 0 },
    { "--stop", OPT_LIST, A(stops), A(n_stops), 0, 16 },
    ENGINE_OPTS,
};

static int model_cmd_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    model_args a = { .n = 128 };
    generate_params p = GENERATE_PARAMS_DEFAULT;
    struct sigaction sa, old;
    generate_result r;
    augur_err err = { 0 };
    tokenizer *tok = NULL;
    engine *e = NULL;
    int rc;

    if ((rc = model_parse(cmd, path, argc, argv, run_opts, 1, &a)) >= 0)
        return rc;
    if (!a.prompt)
        return cli_usage(path, "which prompt? (-p PROMPT)");
    if ((rc = model_sampling(c, path, &a, &p.sampling)) >= 0)
        return rc;
    if ((rc = model_engine_open(c, path, &a, &e)) != CLI_OK)
        return rc;
    if (tokenizer_new(&tok, engine_gguf(e), &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s: %s\n", path, a.pos[0], err.msg);
        engine_free(e);
        return CLI_FAILED;
    }
    p.max_tokens = (int)a.n;
    p.stops = a.stops;
    p.n_stops = (size_t)a.n_stops;
    p.on_text = model_print_text;
    p.cancel = &model_interrupted;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = model_on_sigint;
    sigaction(SIGINT, &sa, &old);
    rc = generate(e, tok, a.prompt, strlen(a.prompt), &p, &r, &err);
    sigaction(SIGINT, &old, NULL);
    if (rc == AUGUR_OK) {
        putchar('\n');
        fflush(stdout);
        fprintf(stderr, "%d prompt tokens in %.2f s (%.1f tok/s), %d generated in %.2f s "
                "(%.2f tok/s), ended by %s; %d threads, %s kernels\n", r.prompt_tokens,
                r.prompt_seconds, r.prompt_tokens / (r.prompt_seconds > 0 ? r.prompt_seconds : 1),
                r.tokens, r.seconds, r.tokens / (r.seconds > 0 ? r.seconds : 1),
                generate_end_name(r.end), engine_threads(e), engine_kernels(e));
        model_experts_line(stderr, e);
        model_memory_line(stderr, e);
    } else {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    }
    tokenizer_free(tok);
    engine_free(e);
    return rc == AUGUR_OK ? CLI_OK : rc == AUGUR_EINVAL ? CLI_USAGE : CLI_FAILED;
}

static void model_eval_json(const engine *e, const token_list *ids, const float *logits,
                            const int32_t *greedy, int n_greedy)
{
    int V = engine_shape_of(e)->vocab;

    printf("{\"n_vocab\": %d, \"tokens\": [", V);
    for (size_t i = 0; i < ids->len; i++)
        printf("%s%ld", i ? ", " : "", (long)ids->ids[i]);
    printf("],\n \"logits\": [");
    for (size_t t = 0; t < ids->len; t++) {
        printf("%s[", t ? ",\n  " : "");
        for (int v = 0; v < V; v++)
            printf("%s%.9g", v ? ", " : "", logits[t * (size_t)V + v]);
        putchar(']');
    }
    printf("],\n \"greedy\": [");
    for (int i = 0; i < n_greedy; i++)
        printf("%s%ld", i ? ", " : "", (long)greedy[i]);
    printf("]}\n");
}

static void model_eval_text(const engine *e, const token_list *ids, const float *logits,
                            const int32_t *greedy, int n_greedy)
{
    int V = engine_shape_of(e)->vocab;

    for (size_t t = 0; t < ids->len; t++) {
        const float *row = logits + t * (size_t)V;
        int best = sample_argmax(row, V);
        printf("%4zu  token %-7ld  next: %ld (logit %.4f)\n", t, (long)ids->ids[t], (long)best,
               row[best]);
    }
    printf("greedy:");
    for (int i = 0; i < n_greedy; i++)
        printf(" %ld", (long)greedy[i]);
    putchar('\n');
}

static const model_opt eval_opts[] = {
    { "--tokens", OPT_STR, A(tokens), 0, 0, 0 },
    { "--greedy", OPT_INT, A(greedy), 0, 0, 1 << 20 },
    { "--json", OPT_FLAG, A(json), 0, 0, 0 },
    ENGINE_OPTS,
};

static int model_cmd_eval(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    model_args a = { .n = 0 };
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    int32_t *greedy = NULL;
    float *logits = NULL;
    engine *e = NULL;
    int rc, V, n = 0;

    if ((rc = model_parse(cmd, path, argc, argv, eval_opts, 1, &a)) >= 0)
        return rc;
    if (!a.tokens)
        return cli_usage(path, "which tokens? (--tokens \"1 5 9\")");
    if (model_parse_ids(path, a.tokens, &ids) != 0) {
        token_list_free(&ids);
        return CLI_USAGE;
    }
    if (ids.len == 0) {
        token_list_free(&ids);
        return cli_usage(path, "--tokens holds no token ids");
    }
    if ((rc = model_engine_open(c, path, &a, &e)) != CLI_OK) {
        token_list_free(&ids);
        return rc;
    }
    V = engine_shape_of(e)->vocab;
    logits = malloc(ids.len * (size_t)V * sizeof *logits);
    greedy = malloc(((size_t)a.greedy + 1) * sizeof *greedy);
    rc = !logits || !greedy ? augur_err_set(&err, AUGUR_ENOMEM, "out of memory")
                            : engine_eval(e, ids.ids, (int)ids.len, logits, 1, &err);
    if (rc == AUGUR_OK && a.greedy > 0) {
        float *row = malloc((size_t)V * sizeof *row);
        int32_t next = sample_argmax(logits + (ids.len - 1) * (size_t)V, V);
        while (rc == AUGUR_OK && row && n < a.greedy) {
            greedy[n++] = next;
            if (n < a.greedy && (rc = engine_eval(e, &next, 1, row, 0, &err)) == AUGUR_OK)
                next = sample_argmax(row, V);
        }
        if (!row)
            rc = augur_err_set(&err, AUGUR_ENOMEM, "out of memory");
        free(row);
    }
    if (rc == AUGUR_OK && a.json)
        model_eval_json(e, &ids, logits, greedy, n);
    else if (rc == AUGUR_OK)
        model_eval_text(e, &ids, logits, greedy, n);
    else
        fprintf(stderr, "%s: %s\n", path, err.msg);
    free(logits);
    free(greedy);
    token_list_free(&ids);
    engine_free(e);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

/* ---- bench ---------------------------------------------------------------------------- */

typedef struct bench_row {
    char         routing[64];
    engine_speed speed;
    double       ceiling;
} bench_row;

static void model_bench_header(const char *file, const engine *e, const double *bandwidth,
                               size_t stream)
{
    const engine_shape *s = engine_shape_of(e);
    char a[32], b[32], c[32];

    printf("model:     %s: %s, width %d, %d layers, %d heads (%d kv)", file, s->arch, s->width,
           s->layers, s->heads, s->heads_kv);
    if (s->experts)
        printf(", %d experts (top-%d) of width %d", s->experts, s->experts_used, s->ff_expert);
    printf(", vocabulary %d\n", s->vocab);
    printf("weights:   %s in the file, %s; %s read per token with every expert, %s with the "
           "model's top-%d\n", model_bytes(gguf_file_size(engine_gguf(e)), a, sizeof a),
           engine_loaded(e) ? "loaded into huge-page memory" : "mapped",
           model_bytes((uint64_t)engine_active_bytes(e, s->experts), b, sizeof b),
           model_bytes((uint64_t)engine_active_bytes(e, s->experts_used), c, sizeof c),
           s->experts_used);
    printf("machine:   %d threads, %s kernels; read bandwidth %.2f GB/s (all threads streaming "
           "%s, median of 5 passes; %.2f before the runs, %.2f after)\n", engine_threads(e),
           engine_kernels(e), fmax(bandwidth[0], bandwidth[1]) / 1e9,
           model_bytes(stream, b, sizeof b), bandwidth[0] / 1e9, bandwidth[1] / 1e9);
}

static const model_opt bench_opts[] = {
    { "-p", OPT_INT, A(prompt_len), 0, 1, 1 << 16 },
    { "-n", OPT_INT, A(n), 0, 1, 1 << 16 },
    { "--reps", OPT_INT, A(reps), 0, 1, 15 },
    { "--stream-mib", OPT_INT, A(stream_mib), 0, 1, 1 << 20 },
    { "--routing", OPT_LIST, A(routings), A(n_routings), 0, 8 },
    { "--threads", OPT_INT, A(threads), 0, 1, 256 },
    { NULL, 0, 0, 0, 0, 0 },
};

static int model_cmd_bench(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    model_args a = { .prompt_len = 128, .n = 64, .reps = 3 };
    bench_row rows[9];
    augur_err err = { 0 };
    int32_t *prompt = NULL;
    size_t stream = engine_stream_bytes();
    double bandwidth[2] = { 0, 0 };
    uint64_t rng = 12345;
    engine *e = NULL;
    int rc, n_rows = 0;

    if ((rc = model_parse(cmd, path, argc, argv, bench_opts, 1, &a)) >= 0)
        return rc;
    a.ctx = a.prompt_len + a.n;
    if (a.stream_mib)
        stream = (size_t)a.stream_mib << 20;
    for (int i = 0; i < a.n_routings; i++) {
        engine_routing r = ENGINE_ROUTING_DEFAULT;
        if (engine_routing_parse(a.routings[i], &r, &err) != AUGUR_OK)
            return cli_usage(path, "--routing %s", err.msg);
    }
    if ((rc = model_engine_open(c, path, &(model_args){ .pos = { a.pos[0] }, .threads = a.threads,
                                                        .ctx = a.ctx }, &e)) != CLI_OK)
        return rc;
    if (!(prompt = malloc((size_t)a.prompt_len * sizeof *prompt))) {
        engine_free(e);
        return CLI_FAILED;
    }
    for (int i = 0; i < a.prompt_len; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        prompt[i] = (int32_t)((rng >> 33) % (uint64_t)engine_shape_of(e)->vocab);
    }
    if (isatty(2))
        fputs("bench: reading the weights, measuring the bandwidth", stderr);
    engine_prefault(e);
    rc = engine_read_bandwidth(e, stream, 5, &bandwidth[0], &err);
    if (rc == AUGUR_OK)             /* a run to warm up, its figures dropped */
        rc = engine_speed_measure(e, prompt, (int)a.prompt_len, (int)a.n, 1, &rows[0].speed,
                                  &err);
    for (int i = -1; rc == AUGUR_OK && i < a.n_routings; i++) {
        engine_routing r = *engine_routing_of(e);
        if (isatty(2))
            fprintf(stderr, "\r\033[Kbench: routing %d of %d", i + 2, a.n_routings + 1);
        if (i >= 0 && (engine_routing_parse(a.routings[i], &r, &err) != AUGUR_OK ||
                       engine_set_routing(e, &r, &err) != AUGUR_OK)) {
            rc = AUGUR_EINVAL;
            break;
        }
        engine_routing_name(e, rows[n_rows].routing, sizeof rows[n_rows].routing);
        rc = engine_speed_measure(e, prompt, (int)a.prompt_len, (int)a.n, (int)a.reps,
                                  &rows[n_rows++].speed, &err);
    }
    /* the bandwidth again after the runs: the higher of the two sets the ceiling, so a
    ** busy moment on a shared machine cannot make the engine look closer to it */
    if (rc == AUGUR_OK)
        rc = engine_read_bandwidth(e, stream, 5, &bandwidth[1], &err);
    if (isatty(2))
        fputs("\r\033[K", stderr);
    for (int i = 0; rc == AUGUR_OK && i < n_rows; i++) {
        rows[i].ceiling = fmax(bandwidth[0], bandwidth[1]) / rows[i].speed.bytes;
    }
    if (rc == AUGUR_OK) {
        model_bench_header(a.pos[0], e, bandwidth, stream);
        printf("\n%-22s %12s %14s %14s %13s %12s %11s\n", "routing", "experts/tok", "active MB/tok",
               "ceiling tok/s", "pp tok/s", "tg tok/s", "tg/ceiling");
        for (int i = 0; i < n_rows; i++)
            printf("%-22s %12.2f %14.1f %14.2f %13.1f %12.2f %10.0f%%\n", rows[i].routing,
                   rows[i].speed.experts, rows[i].speed.bytes / 1e6, rows[i].ceiling,
                   rows[i].speed.pp, rows[i].speed.tg, 100 * rows[i].speed.tg / rows[i].ceiling);
        printf("\npp: %lld prompt tokens in one call; tg: %lld tokens one at a time after it; "
               "medians of %lld runs.\nceiling: read bandwidth / (weights read per token at the "
               "experts/token measured + KV cache read at the mean position).\n",
               a.prompt_len, a.n, a.reps);
        model_memory_line(stdout, e);
    } else {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    }
    free(prompt);
    engine_free(e);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

/* ---- perplexity ------------------------------------------------------------------------ */

/* -ln p(ids[i + 1]) summed over the positions of a chunk, from its logits. */
static double model_nll(const float *logits, int V, int32_t next)
{
    float max = logits[0];
    double sum = 0;

    for (int v = 1; v < V; v++)
        max = logits[v] > max ? logits[v] : max;
    for (int v = 0; v < V; v++)
        sum += exp((double)logits[v] - max);
    return log(sum) + max - logits[next];
}

static const model_opt perplexity_opts[] = { ENGINE_OPTS };

static int model_cmd_perplexity(cli *c, const cli_command *cmd, const char *path, int argc,
                                char **argv)
{
    model_args a = { .n = 0 };
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    tokenizer *tok = NULL;
    float *logits = NULL;
    char *text = NULL, routing[64];
    double nll = 0;
    size_t len, scored = 0, chunks = 0;
    uint64_t t0;
    engine *e = NULL;
    int rc, V, chunk;

    if ((rc = model_parse(cmd, path, argc, argv, perplexity_opts, 2, &a)) >= 0)
        return rc;
    if (a.ctx == 1)
        return cli_usage(path, "--ctx needs at least 2: the first token of a chunk is not scored");
    if ((rc = model_engine_open(c, path, &a, &e)) != CLI_OK)
        return rc;
    V = engine_shape_of(e)->vocab;
    chunk = a.ctx ? (int)a.ctx : engine_context(e) < 512 ? engine_context(e) : 512;
    rc = file_read(a.pos[1], (size_t)1 << 30, &text, &len, &err);
    if (rc == AUGUR_OK)
        rc = tokenizer_new(&tok, engine_gguf(e), &err);
    if (rc == AUGUR_OK)
        rc = tokenizer_encode(tok, text, len, TOKENIZE_ADD_SPECIAL, &ids, &err);
    if (rc == AUGUR_OK && ids.len < 2)
        rc = augur_err_set(&err, AUGUR_EINVAL, "%s: fewer than 2 tokens", a.pos[1]);
    if (rc == AUGUR_OK && !(logits = malloc((size_t)chunk * V * sizeof *logits)))
        rc = augur_err_set(&err, AUGUR_ENOMEM, "out of memory");
    t0 = time_mono_ns();
    for (size_t at = 0; rc == AUGUR_OK && at + 1 < ids.len; at += (size_t)chunk) {
        int n = ids.len - at < (size_t)chunk ? (int)(ids.len - at) : chunk;
        engine_rewind(e, 0);
        rc = engine_eval(e, ids.ids + at, n, logits, 1, &err);
        for (int i = 0; rc == AUGUR_OK && i + 1 < n; i++, scored++)
            nll += model_nll(logits + (size_t)i * V, V, ids.ids[at + i + 1]);
        chunks++;
    }
    if (rc == AUGUR_OK) {
        double secs = (double)(time_mono_ns() - t0) / 1e9;
        engine_routing_name(e, routing, sizeof routing);
        printf("perplexity %.4f over %zu predicted tokens (%zu chunks of at most %d, %.1f tok/s)\n",
               exp(nll / (double)scored), scored, chunks, chunk,
               (double)(scored + chunks) / (secs > 0 ? secs : 1));
        model_experts_line(stdout, e);
    } else {
        fprintf(stderr, "%s: %s\n", path, err.msg);
    }
    free(text);
    free(logits);
    token_list_free(&ids);
    tokenizer_free(tok);
    engine_free(e);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

/* ---- synth ------------------------------------------------------------------------------ */

static const model_opt synth_opts_table[] = {
    { "--arch", OPT_STR, A(arch), 0, 0, 0 },
    { "--width", OPT_INT, A(width), 0, 1, 1 << 16 },
    { "--layers", OPT_INT, A(layers), 0, 1, 1024 },
    { "--heads", OPT_INT, A(heads), 0, 1, 1024 },
    { "--heads-kv", OPT_INT, A(heads_kv), 0, 1, 1024 },
    { "--head-dim", OPT_INT, A(head_dim), 0, 2, 4096 },
    { "--experts", OPT_INT, A(experts), 0, 0, 1024 },
    { "--experts-used", OPT_INT, A(experts_used), 0, 0, 1024 },
    { "--ff", OPT_INT, A(ff), 0, 1, 1 << 20 },
    { "--shared-ff", OPT_INT, A(ff_shared), 0, 1, 1 << 20 },
    { "--vocab", OPT_INT, A(vocab), 0, 1, 1 << 22 },
    { "--context", OPT_INT, A(ctx), 0, 1, 1 << 24 },
    { "--type", OPT_STR, A(type), 0, 0, 0 },
    { "--tied", OPT_FLAG, A(tied), 0, 0, 0 },
    { "--seed", OPT_INT, A(seed), 0, 0, LLONG_MAX },
    { "--threads", OPT_INT, A(threads), 0, 1, 256 },
    { "--out", OPT_STR, A(out), 0, 0, 0 },
    { NULL, 0, 0, 0, 0, 0 },
};

/* "synth: 1.2 GiB of 6.9 GiB" on a terminal, rewritten in place. */
static void model_synth_progress(void *ctx, uint64_t done, uint64_t total)
{
    char a[32], b[32];

    (void)ctx;
    fprintf(stderr, "\rsynth: %s of %s ", model_bytes(done, a, sizeof a),
            model_bytes(total, b, sizeof b));
    if (done == total)
        fputs("\r\033[K", stderr);
}

static int model_cmd_synth(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    synth_opts o = SYNTH_OPTS_DEFAULT;
    model_args a = { .n = 0 };
    augur_err err = { 0 };
    uint64_t t0 = time_mono_ns();
    gguf *g;
    int rc;

    (void)c;
    if ((rc = model_parse(cmd, path, argc, argv, synth_opts_table, 0, &a)) >= 0)
        return rc;
    if (!a.out)
        return cli_usage(path, "where to? (--out FILE)");
    if (a.type && quant_type_parse(a.type, &o.type) != 0)
        return cli_usage(path, "--type %s is not one the engine runs (%s)", a.type,
                         quant_supported_list());
    o.arch = a.arch ? a.arch : o.arch;
#define SET(field, from) if (a.from) o.field = (int)a.from
    SET(width, width);
    SET(layers, layers);
    SET(heads, heads);
    SET(heads_kv, heads_kv);
    SET(head_dim, head_dim);
    SET(experts, experts);
    SET(experts_used, experts_used);
    SET(ff, ff);
    SET(ff_shared, ff_shared);
    SET(vocab, vocab);
    SET(context, ctx);
    SET(threads, threads);
#undef SET
    o.tied = a.tied;
    o.seed = (uint64_t)a.seed;
    if (isatty(2))
        o.progress = model_synth_progress;
    if (synth_write(&o, a.out, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return err.code == AUGUR_EINVAL ? CLI_USAGE : CLI_FAILED;
    }
    if (gguf_open(&g, a.out, &err) == AUGUR_OK) {
        model_info m;
        char b[32], n[32], k[32];
        model_info_get(g, &m);
        printf("wrote %s: %s, %s parameters (%s active per token), %s, in %.1f s\n", a.out,
               o.arch, model_count(m.params, n, sizeof n),
               model_count(m.active_params, k, sizeof k),
               model_bytes(gguf_file_size(g), b, sizeof b),
               (double)(time_mono_ns() - t0) / 1e9);
        gguf_close(g);
    }
    return CLI_OK;
}

static const cli_command cmd_info = {
    "info", "FILE", "describe a GGUF model: architecture, parameters, experts, types, memory",
    "Prints the architecture, the parameter count (and, for a mixture of experts, the\n"
    "experts and the parameters active per token), the tensor types with their counts\n"
    "and sizes, the tokenizer, whether a chat template is present, and the memory the\n"
    "model needs: its weights (loaded or mapped: model.weights) and an f32 KV cache\n"
    "at its full context length.\n",
    model_cmd_info, NULL,
};

static const cli_command cmd_tokenize = {
    "tokenize", "FILE [--bos] [--parse-special]",
    "print the token ids of stdin, on one line, separated by spaces",
    "stdin is taken byte for byte: nothing is stripped, not even a final newline.\n"
    "\n"
    "options:\n"
    "  --bos             add BOS and EOS where the vocabulary says to (add_bos_token,\n"
    "                    add_eos_token)\n"
    "  --parse-special   control tokens written in the text (<s>, <|endoftext|>) become\n"
    "                    those tokens; by default they are plain text\n",
    model_cmd_tokenize, NULL,
};

static const cli_command cmd_detokenize = {
    "detokenize", "FILE", "read token ids from stdin and write the bytes they stand for",
    "Ids are separated by white space. Control tokens are written as their text.\n",
    model_cmd_detokenize, NULL,
};

static const cli_command cmd_run = {
    "run", "FILE -p PROMPT [-n N] [--seed N] [--routing SPEC]",
    "generate text from a prompt, streaming it as it comes",
    "The prompt is tokenized (with BOS as the vocabulary says) and evaluated in one\n"
    "batch; then up to N tokens (default 128) are sampled one at a time and written to\n"
    "stdout as they come. Speed, the experts chosen per token (per layer) and the\n"
    "memory in use are reported on stderr. Ctrl-C stops generation between tokens.\n"
    "\n"
    "options (defaults from [model], [model.routing] and [model.sampling]):\n"
    "  -p, --prompt TEXT      the prompt\n"
    "  -n N                   generate at most N tokens\n"
    "  --seed N               the sampler's seed\n"
    "  --routing SPEC         top-k[:K] | top-p:P[:MIN:MAX] | skip:BETA (see below)\n"
    "  --temp T               temperature; 0 is greedy\n"
    "  --top-k K, --top-p P, --min-p P, --repeat-penalty R\n"
    "                         sampling filters (0, 1, 0 and 1 turn them off)\n"
    "  --stop TEXT            stop before this text (repeatable); it is not printed\n"
    "  --threads N            threads (default: physical cores)\n"
    "  --ctx N                positions the KV cache holds (default: the model's)\n"
    "\n"
    "routing: top-k takes the K most probable experts (the model's K by default); top-p\n"
    "takes experts by falling probability until their sum exceeds P, at least MIN and\n"
    "at most MAX (0: no bound); skip takes the model's top-k and drops those weighted\n"
    "below BETA times the first.\n",
    model_cmd_run, NULL,
};

static const cli_command cmd_eval = {
    "eval", "FILE --tokens IDS [--greedy N] [--json]",
    "evaluate token ids in one batch and print the logits at every position",
    "IDS are token ids separated by spaces (\"1 5 9\"). The whole sequence is evaluated in\n"
    "one batch; --greedy N continues it greedily by N\n"
    "tokens, one at a time. With --json the output is the fixture format:\n"
    "  {\"n_vocab\": V, \"tokens\": [...], \"logits\": [[V values] per position],\n"
    "   \"greedy\": [...]}\n"
    "otherwise each position's most likely next token.\n"
    "\n"
    "options: --threads N, --ctx N, --routing SPEC (as for run)\n",
    model_cmd_eval, NULL,
};

static const cli_command cmd_bench = {
    "bench", "FILE [-p N] [-n N] [--routing SPEC]...",
    "prompt and generation speed beside the machine's memory-bandwidth ceiling",
    "Measures the machine's read bandwidth (every thread streaming through a buffer\n"
    "four times the last-level cache and at least 1 GiB), maps every page of the\n"
    "weights, then for the configured routing and each --routing given: the speed of\n"
    "evaluating a prompt of N tokens in one call (-p, default 128), and of generating\n"
    "tokens one at a time after it (-n, default 64), medians of --reps runs (default\n"
    "3); --threads N as for run; --stream-mib N sets the bandwidth buffer's size.\n"
    "Generating a token reads every active weight once, so its speed is at most the\n"
    "ceiling: bandwidth / (bytes of weights read per token at the experts per token\n"
    "measured + the KV cache read). The bandwidth is measured before and after the\n"
    "runs and the higher figure is used. The table gives both and their ratio.\n",
    model_cmd_bench, NULL,
};

static const cli_command cmd_perplexity = {
    "perplexity", "FILE TEXT_FILE [--ctx N] [--routing SPEC]",
    "the model's perplexity on a text, with the routing and experts per token",
    "The text is tokenized (with BOS) and cut into chunks of N tokens (default the\n"
    "smaller of 512 and the context); each chunk is evaluated from an empty cache and\n"
    "every token after its first is scored. Prints exp(mean -ln p(token)), the routing\n"
    "mode and the experts chosen per token, in all and per layer.\n",
    model_cmd_perplexity, NULL,
};

static const cli_command cmd_synth = {
    "synth", "--arch A --width N ... --type T --out FILE",
    "write a random-weight GGUF model of any shape the engine runs",
    "options (defaults: a llama of width 64, 2 layers, 4 heads, FFN 128, 512 tokens):\n"
    "  --arch A              llama, qwen2moe, qwen3moe, olmoe, granitemoe\n"
    "  --width N             embedding width\n"
    "  --layers N            blocks\n"
    "  --heads N             attention heads; --heads-kv N key/value heads (default: all)\n"
    "  --head-dim N          head size (default: width / heads)\n"
    "  --experts N           experts (0: dense, llama only); --experts-used N per token\n"
    "  --ff N                FFN width (each expert's); --shared-ff N qwen2moe's shared\n"
    "                        expert (default 2 x ff)\n"
    "  --vocab N             vocabulary size (at least 260: controls, bytes, pieces)\n"
    "  --context N           context length (default 256)\n"
    "  --type T              f32, f16, bf16, q8_0, q4_0, q5_0, q4_K, q5_K, q6_K; rows that\n"
    "                        are not whole blocks of T fall back to q8_0, then f16\n"
    "  --tied                no output matrix: the embedding serves\n"
    "  --seed N              the same seed gives the same file (default 0)\n"
    "  --threads N           threads making the weights\n"
    "  --out FILE            where to write it\n",
    model_cmd_synth, NULL,
};

static const cli_command *const model_commands[] = { &cmd_info, &cmd_tokenize, &cmd_detokenize,
                                                     &cmd_run, &cmd_eval, &cmd_bench,
                                                     &cmd_perplexity, &cmd_synth, NULL };

const cli_command cli_model_command = {
    "model", "COMMAND", "inspect, run, benchmark and make GGUF models", NULL, NULL,
    model_commands,
};
