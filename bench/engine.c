/*
** bench/engine.c — the engine's speed beside the machine's limit, measured in the
** same run.
**
**     build/bench/engine [DIR] [TYPES] [LAYERS] [THREADS] [WEIGHTS]
**                                       (make bench: build/bench q8_0,q4_K 16 0 load)
**
** The model has OLMoE's shape (width 2048, 16 heads, 64 experts of width 1024, top-8,
** vocabulary 50,304; LAYERS layers, 16 by default) with random weights of each of
** TYPES (comma-separated), made by model/synth into DIR the first time and reused
** after (the same options make the same file), run on THREADS threads (0: the
** engine's default, the physical cores), with the weights loaded into huge-page
** memory where they fit or mapped (WEIGHTS: load, the engine's default, or map).
** Generating a token reads each weight it uses once, so its limit is the read
** bandwidth ÷ the bytes a token reads (the weights at the experts per token
** measured, and the KV cache). The bandwidth is measured with all threads streaming
** a buffer four times the last-level cache.
**
** Each routing runs a prompt of PROMPT tokens in one call, then GEN tokens one at a
** time, REPS times, each run a second after a bandwidth probe: on a machine shared with
** other programs both swing together with the load, so each run is set against the
** bandwidth of its own moment, and the table shows the medians of the runs, of the
** probes and of the runs' fractions of their ceilings. One run per model warms up
** first and is dropped.
*/
#include "bench/bench.h"
#include "base/time.h"
#include "model/engine.h"
#include "model/quant.h"
#include "model/synth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PROMPT = 64, GEN = 16, REPS = 5, BANDWIDTH_PASSES = 3, MAX_TYPES = 9 };

/* The system is busy for a second or two after a probe hands back its 2 GB (tokens
** generated 2 s after one took 1.3-1.9x their time now and then); a run waits this
** long after its probe, so that it is not slowed by the benchmark's own doing. */
enum { SETTLE_US = 1000000 };

static const char *const routings[] = { "top-k", "top-p:0.8", "top-p:0.5", "skip:0.3",
                                        "skip:0.5" };
enum { N_ROUTINGS = sizeof routings / sizeof routings[0] };

/* What the table says about the engine, kept after it is freed. */
typedef struct bench_setup {
    engine_shape shape;
    int          threads;
    char         kernels[16];
} bench_setup;

/* One routing's medians over REPS runs. */
typedef struct bench_row {
    char         routing[64];
    engine_speed speed;        /* pp, tg: medians; experts, bytes: of the last run */
    double       bandwidth;    /* bytes per second, median of the probes */
    double       fraction;     /* median of each run's tg ÷ its probe's ceiling */
} bench_row;

typedef struct bench_model {
    char      type[16], path[4096];
    double    file_bytes, bw_lo, bw_hi;   /* the lowest and highest probe */
    double    open_s;                     /* engine_open's time */
    int       loaded;                     /* the weights were loaded, not mapped */
    bench_row row[N_ROUTINGS];
} bench_model;

static void bench_progress(void *ctx, uint64_t done, uint64_t total)
{
    fprintf(stderr, "\r\033[Kengine: making %s: %.1f of %.1f GB", (const char *)ctx,
            (double)done / 1e9, (double)total / 1e9);
    if (done == total)
        fputs("\r\033[K", stderr);
}

static void bench_fail(const char *what, const augur_err *err)
{
    fprintf(stderr, "bench/engine: %s: %s\n", what, err->msg);
    exit(1);
}

/* DIR/olmoe-LLAYERS-TYPE.gguf, made unless it is there. */
static void bench_make(const char *dir, int layers, bench_model *m)
{
    synth_opts o = SYNTH_OPTS_DEFAULT;
    augur_err err = { 0 };
    struct stat st;
    uint64_t t0 = time_mono_ns();

    snprintf(m->path, sizeof m->path, "%s/olmoe-L%d-%s.gguf", dir, layers, m->type);
    if (stat(m->path, &st) == 0) {
        m->file_bytes = (double)st.st_size;
        return;
    }
    o.arch = "olmoe";
    o.width = 2048;
    o.layers = layers;
    o.heads = o.heads_kv = 16;
    o.experts = 64;
    o.experts_used = 8;
    o.ff = 1024;
    o.vocab = 50304;
    o.context = 4096;
    o.seed = 1;
    if (quant_type_parse(m->type, &o.type) != 0) {
        fprintf(stderr, "bench/engine: %s is not a type the engine runs (%s)\n", m->type,
                quant_supported_list());
        exit(2);
    }
    if (isatty(2)) {
        o.progress = bench_progress;
        o.progress_ctx = m->path;
    }
    if (synth_write(&o, m->path, &err) != AUGUR_OK)
        bench_fail(m->path, &err);
    if (stat(m->path, &st) == 0)
        m->file_bytes = (double)st.st_size;
    printf("made %s (%.2f GB) in %.0f s\n", m->path, m->file_bytes / 1e9,
           (double)(time_mono_ns() - t0) / 1e9);
    fflush(stdout);
}

/* REPS runs of the engine's routing, each after a bandwidth probe. */
static void bench_routing(engine *e, const int32_t *prompt, bench_model *m, bench_row *row)
{
    double pp[REPS], tg[REPS], bw[REPS], frac[REPS];
    augur_err err = { 0 };

    for (int r = 0; r < REPS; r++) {
        if (engine_read_bandwidth(e, engine_stream_bytes(), BANDWIDTH_PASSES, &bw[r], &err) !=
            AUGUR_OK)
            bench_fail(row->routing, &err);
        usleep(SETTLE_US);
        if (engine_speed_measure(e, prompt, PROMPT, GEN, 1, &row->speed, &err) != AUGUR_OK)
            bench_fail(row->routing, &err);
        pp[r] = row->speed.pp;
        tg[r] = row->speed.tg;
        frac[r] = tg[r] * row->speed.bytes / bw[r];
        m->bw_lo = m->bw_lo > 0 && m->bw_lo < bw[r] ? m->bw_lo : bw[r];
        m->bw_hi = m->bw_hi > bw[r] ? m->bw_hi : bw[r];
    }
    row->speed.pp = bench_median(pp, REPS);
    row->speed.tg = bench_median(tg, REPS);
    row->bandwidth = bench_median(bw, REPS);
    row->fraction = bench_median(frac, REPS);
}

/* Every routing on one model. */
static void bench_run(bench_model *m, int threads, enum engine_weights weights,
                      bench_setup *setup)
{
    engine_opts o = ENGINE_OPTS_DEFAULT;
    augur_err err = { 0 };
    int32_t prompt[PROMPT];
    uint64_t rng = 12345, t0 = time_mono_ns();
    engine *e;

    o.context = PROMPT + GEN;
    o.threads = threads;
    o.weights = weights;
    if (engine_open(&e, m->path, &o, &err) != AUGUR_OK)
        bench_fail(m->path, &err);
    m->open_s = (double)(time_mono_ns() - t0) / 1e9;
    m->loaded = engine_loaded(e);
    for (int i = 0; i < PROMPT; i++) {
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        prompt[i] = (int32_t)((rng >> 33) % (uint64_t)engine_shape_of(e)->vocab);
    }
    engine_prefault(e);
    if (engine_speed_measure(e, prompt, PROMPT, GEN, 1, &m->row[0].speed, &err) != AUGUR_OK)
        bench_fail("warm-up", &err);
    for (int r = 0; r < N_ROUTINGS; r++) {
        engine_routing rt = ENGINE_ROUTING_DEFAULT;
        if (isatty(2))
            fprintf(stderr, "\r\033[Kengine: %s, %s", m->type, routings[r]);
        if (engine_routing_parse(routings[r], &rt, &err) != AUGUR_OK ||
            engine_set_routing(e, &rt, &err) != AUGUR_OK)
            bench_fail(routings[r], &err);
        engine_routing_name(e, m->row[r].routing, sizeof m->row[r].routing);
        bench_routing(e, prompt, m, &m->row[r]);
    }
    if (isatty(2))
        fputs("\r\033[K", stderr);
    setup->shape = *engine_shape_of(e);
    setup->threads = engine_threads(e);
    snprintf(setup->kernels, sizeof setup->kernels, "%s", engine_kernels(e));
    engine_free(e);
}

static void bench_table(const bench_model *m, int n, const bench_setup *setup)
{
    const engine_shape *s = &setup->shape;
    double top_k_tg = 0;

    printf("engine: OLMoE-shaped model, random weights: width %d, %d layers, %d heads, "
           "%d experts (top-%d) of width %d, vocabulary %d\n", s->width, s->layers, s->heads,
           s->experts, s->experts_used, s->ff_expert, s->vocab);
    printf("  %d threads, %s kernels; pp: %d prompt tokens in one call, tg: %d tokens one at "
           "a time after it; medians of %d runs\n", setup->threads, setup->kernels, PROMPT,
           GEN, REPS);
    printf("  GB/s: read bandwidth, all threads streaming %.2f GB (median of %d passes) just "
           "before each run; ceiling: GB/s / MB a generated token reads;\n  tg/ceil: median of "
           "each run's tg / its own ceiling\n\n", (double)engine_stream_bytes() / 1e9,
           BANDWIDTH_PASSES);
    printf("%-6s %-13s %9s %10s %9s %9s %9s %7s %9s %7s\n", "type", "routing", "experts",
           "MB/token", "GB/s", "ceiling", "tg tok/s", "tg/ceil", "pp tok/s", "pp/tg");
    for (int i = 0; i < n; i++) {
        for (int r = 0; r < N_ROUTINGS; r++) {
            const bench_row *row = &m[i].row[r];
            const engine_speed *sp = &row->speed;
            printf("%-6s %-13s %9.2f %10.1f %9.2f %9.2f %9.2f %6.0f%% %9.2f %6.1fx\n",
                   r ? "" : m[i].type, row->routing, sp->experts, sp->bytes / 1e6,
                   row->bandwidth / 1e9, row->bandwidth / sp->bytes, sp->tg,
                   100 * row->fraction, sp->pp, sp->pp / sp->tg);
        }
        printf("%-6s file %.2f GB, %s in %.1f s; the probes ranged from %.2f to %.2f GB/s\n",
               "", m[i].file_bytes / 1e9, m[i].loaded ? "loaded into huge-page memory" :
               "mapped", m[i].open_s, m[i].bw_lo / 1e9, m[i].bw_hi / 1e9);
    }
    printf("\nrouting against the model's top-%d (tg tok/s ratio):\n", s->experts_used);
    for (int i = 0; i < n; i++) {
        printf("  %-6s", m[i].type);
        for (int r = 1; r < N_ROUTINGS; r++)
            printf("  %s %.2fx", m[i].row[r].routing, m[i].row[r].speed.tg /
                                                   m[i].row[0].speed.tg);
        putchar('\n');
        if (i == 0)
            top_k_tg = m[0].row[0].speed.tg;
        else
            printf("  %s tg is %.2fx %s's (top-%d)\n", m[i].type,
                   m[i].row[0].speed.tg / top_k_tg, m[0].type, s->experts_used);
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    char types[256];
    int layers = argc > 3 ? atoi(argv[3]) : 16, threads = argc > 4 ? atoi(argv[4]) : 0, n = 0;
    const char *weights = argc > 5 ? argv[5] : "load";
    bench_model *m = calloc(MAX_TYPES, sizeof *m);
    bench_setup setup;

    snprintf(types, sizeof types, "%s", argc > 2 ? argv[2] : "q8_0,q4_K");
    if (!m || layers < 1 || layers > 64 || threads < 0 || threads > 256 ||
        (strcmp(weights, "load") != 0 && strcmp(weights, "map") != 0)) {
        fprintf(stderr, "usage: %s [DIR] [TYPES] [LAYERS (1 to 64)] [THREADS (0 to 256)] "
                "[WEIGHTS (load or map)]\n", argv[0]);
        return 2;
    }
    for (char *save, *t = strtok_r(types, ",", &save); t && n < MAX_TYPES;
         t = strtok_r(NULL, ",", &save))
        snprintf(m[n++].type, sizeof m[0].type, "%s", t);
    if (n == 0) {
        fprintf(stderr, "%s: no types in '%s'\n", argv[0], argv[2]);
        return 2;
    }
    mkdir(dir, 0755);
    for (int i = 0; i < n; i++) {
        bench_make(dir, layers, &m[i]);
        bench_run(&m[i], threads, strcmp(weights, "map") == 0 ? ENGINE_WEIGHTS_MAP :
                                                              ENGINE_WEIGHTS_LOAD, &setup);
    }
    bench_table(m, n, &setup);
    free(m);
    return 0;
}
