/*
** engine.h — runs GGUF transformers on the CPU: dense llama, and the mixtures of
** experts Mixtral (llama with experts), qwen2moe, qwen3moe, olmoe and granitemoe,
** as ../shared/papers/gguf.md specifies them.
**
**     engine *e;
**     engine_opts o = ENGINE_OPTS_DEFAULT;
**     if (engine_open(&e, "model.gguf", &o, &err) != AUGUR_OK) ...
**     engine_eval(e, prompt, n, logits, 0, &err);    // n tokens in one batch; last logits
**     engine_eval(e, &next, 1, logits, 0, &err);     // then one at a time
**     engine_free(e);
**
** The weights are read into memory the engine owns, on huge pages, where the
** system has them and memory allows (ENGINE_WEIGHTS_LOAD); otherwise, or when asked
** (ENGINE_WEIGHTS_MAP), they stay in the file's memory mapping. The KV cache
** holds `context` positions. A thread pool splits each matrix product by rows and
** computes the experts a token chose side by side; a batch of tokens is grouped by
** expert, so each expert's weights are read once per batch. Results do not depend
** on the thread count, nor on how a sequence is cut into batches: every output is
** computed by the same arithmetic in the same order either way.
**
** Routing is chosen at run time: the model's top-k, another k, top-p (Huang et al.)
** or top-k with skipping of weak experts (MC-MoE, SER). One engine runs on one
** thread at a time (it has one KV cache); several engines may share a process.
*/
#ifndef AUGUR_ENGINE_H
#define AUGUR_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/gguf.h"

typedef struct engine engine;

enum engine_kv { ENGINE_KV_F32, ENGINE_KV_F16 };

/* Where the weights live while the engine runs.
**   load  read into anonymous memory asking for 2 MiB pages, when transparent huge
**         pages are enabled (not "never") and the file takes at most half of the
**         memory available; else as map. A token streams its weights from huge
**         pages faster than from the file's mapping (12 to 15% more tokens per
**         second at one thread on bench/engine's OLMoE-shaped Q8_0). The cost:
**         opening reads the whole file (seconds per GB where memory is touched for
**         the first time), and the copy is the process's own memory, which the
**         system cannot drop under pressure and other processes running the same
**         file do not share (the page cache may keep a second copy until it needs
**         the room).
**   map   the file's memory mapping, nothing copied: opening is instant, pages come
**         from the page cache as they are used, and they are shared and reclaimable. */
enum engine_weights { ENGINE_WEIGHTS_LOAD, ENGINE_WEIGHTS_MAP };

typedef struct engine_opts {
    int            threads;   /* 0: the physical cores */
    int            context;   /* positions the KV cache holds; 0: the model's context length */
    int            batch;     /* most tokens one forward pass takes; 0: ENGINE_BATCH */
    enum engine_kv kv;        /* how the KV cache stores keys and values */
    int            scalar;    /* the portable kernels even where AVX2 is available */
    enum engine_weights weights;   /* engine_open only; engine_open_gguf uses g's memory */
} engine_opts;

enum { ENGINE_BATCH = 256 };

#define ENGINE_OPTS_DEFAULT { 0, 0, 0, ENGINE_KV_F32, 0, ENGINE_WEIGHTS_LOAD }

/* ---- routing ------------------------------------------------------------------------ */

enum route_mode { ROUTE_TOP_K, ROUTE_TOP_P, ROUTE_SKIP };

/* Each token's router gives a probability per expert (softmax of its logits); the
** mode picks experts from them, and the chosen weights are their probabilities,
** renormalised to sum to 1 where the architecture does (llama, qwen3moe, granitemoe).
**   top-k  the k most probable (k 0: the model's);
**   top-p  the most probable until their sum exceeds p (the one crossing p
**          included), at least min_experts and at most max_experts (0: all);
**   skip   the top k, less those whose probability is below beta × the first's. */
typedef struct engine_routing {
    enum route_mode mode;
    int    k;
    double p;
    int    min_experts, max_experts;
    double beta;
} engine_routing;

#define ENGINE_ROUTING_DEFAULT { ROUTE_TOP_K, 0, 0.4, 1, 0, 0.5 }

/* "top-k", "top-k:K", "top-p:P", "top-p:P:MIN:MAX", "skip:BETA"; fields not given
** keep their values in r. */
int  engine_routing_parse(const char *spec, engine_routing *r, augur_err *err);
void engine_routing_format(const engine_routing *r, char *out, size_t size);
const char *engine_route_mode_name(enum route_mode mode);   /* "top-k", "top-p", "skip" */
int  engine_route_mode_parse(const char *name, enum route_mode *mode);

/* ---- the model ------------------------------------------------------------------------ */

typedef struct engine_shape {
    const char *arch;                 /* "olmoe" */
    int vocab, context;               /* the model's vocabulary and trained context */
    int width, layers, heads, heads_kv, head_k, head_v;
    int ff;                           /* dense FFN width (0 for a mixture of experts) */
    int experts, experts_used;        /* 0 for a dense model */
    int ff_expert, ff_shared;         /* expert and shared-expert FFN widths */
} engine_shape;

int  engine_open(engine **out, const char *path, const engine_opts *opts, augur_err *err);
void engine_free(engine *e);

/* The same over a file already open, which must stay open until engine_free; name
** is what messages call it. */
int  engine_open_gguf(engine **out, const gguf *g, const char *name, const engine_opts *opts,
                      augur_err *err);

const engine_shape *engine_shape_of(const engine *e);
const gguf *engine_gguf(const engine *e);      /* for the tokenizer */
const char *engine_kernels(const engine *e);   /* "avx2", "scalar" */
int         engine_threads(const engine *e);
int         engine_context(const engine *e);   /* positions the KV cache holds */
int         engine_loaded(const engine *e);    /* 1: the weights were loaded; 0: mapped */

/* Evaluate tokens[n] at the next n positions, adding them to the KV cache. With
** all, logits receives n rows of vocab values; otherwise the last token's row.
** logits may be NULL. A full cache or a token out of range is an error that
** changes nothing. */
int engine_eval(engine *e, const int32_t *tokens, int n, float *logits, int all, augur_err *err);

/* Evaluate tokens[n] as engine_eval does, and write into out (width values) the
** mean over them of the final hidden state, after the output norm: the text's
** embedding before it is normalised. */
int engine_embed(engine *e, const int32_t *tokens, int n, float *out, augur_err *err);

int  engine_pos(const engine *e);           /* tokens in the cache */
void engine_rewind(engine *e, int pos);     /* forget positions pos and after */

int  engine_set_routing(engine *e, const engine_routing *r, augur_err *err);
const engine_routing *engine_routing_of(const engine *e);

/* The routing in effect, for people: "dense", "top-k:8" (the model's k spelled out),
** or as engine_routing_format writes it. */
void engine_routing_name(const engine *e, char *out, size_t size);

/* Experts chosen per token, averaged over the tokens evaluated since the last
** reset, in layer (or over all layers, layer -1); 0 for a dense model. */
double engine_experts_mean(const engine *e, int layer);
void   engine_stats_reset(engine *e);

/* ---- memory and speed ---------------------------------------------------------------- */

/* Bytes of weights one token reads: every matrix once (the embedding table only
** the token's row), the experts' at experts_per_token of experts. */
double engine_active_bytes(const engine *e, double experts_per_token);

/* Bytes the KV cache reads for one token at position pos. */
double engine_kv_read_bytes(const engine *e, int pos);

typedef struct engine_memory {
    uint64_t rss;        /* resident set of the process */
    uint64_t rss_anon;   /* of which memory the process allocated (not file mappings;
                         ** loaded weights included) */
    uint64_t weights;    /* bytes of tensor data in the file */
    uint64_t weights_resident;   /* of which in memory now (all of them when loaded) */
    uint64_t kv;         /* bytes of the KV cache (allocated; resident as filled) */
} engine_memory;

int engine_memory_get(const engine *e, engine_memory *m, augur_err *err);

/* Map every page of the weights ahead of use (they are read from the page cache
** or the disk now, not during the first tokens); loaded weights are there already. */
void engine_prefault(engine *e);

/* The machine's read bandwidth in bytes per second: every thread of the pool
** streams its share of a buffer of `bytes` (far larger than the caches), reps
** times; the median pass. */
int engine_read_bandwidth(engine *e, size_t bytes, int reps, double *out, augur_err *err);

/* The buffer engine_read_bandwidth is meant for: four times the last-level cache and
** at least 1 GiB, at most a quarter of the memory. */
size_t engine_stream_bytes(void);

/* Speed under the engine's routing: from an empty cache, the prompt in one call, then
** n_gen tokens one at a time (each the argmax of the logits before it); the medians of
** reps runs. The first run after engine_open is slower (the caller may make one and
** drop it). */
typedef struct engine_speed {
    double pp, tg;        /* prompt-processing and generation tokens per second */
    double experts;       /* experts per generated token (0: dense) */
    double bytes;         /* bytes one generated token reads: the weights at that many
                          ** experts, and the KV cache at the mean position */
} engine_speed;

int engine_speed_measure(engine *e, const int32_t *prompt, int n_prompt, int n_gen, int reps,
                         engine_speed *out, augur_err *err);

#endif
