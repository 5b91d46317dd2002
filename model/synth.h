/*
** synth.h — random-weight GGUF models of any shape the engine runs, for tests that
** need no downloads and benchmarks at the size of real models.
**
**     synth_opts o = SYNTH_OPTS_DEFAULT;
**     o.arch = "olmoe"; o.width = 2048; o.layers = 16; o.experts = 64; ...
**     synth_write(&o, "build/olmoe.gguf", &err);
**
** The same options and seed give the same file, whatever the thread count. Each
** weight is drawn from a uniform distribution scaled to its fan-in (embeddings 1,
** matrices 1/√cols, the router 2/√width, norms 1 ± 0.1), then quantized to type;
** norms, biases and routers stay f32, as converters leave them. A matrix whose rows
** are not whole blocks of type falls back to q8_0, then f16. The vocabulary is a
** SentencePiece one (<unk>, <s>, </s>, the 256 byte tokens, "▁", then letter pieces),
** so the model tokenizes and detokenizes text. Tensors are made while the file is
** written, one at a time, so a model larger than memory can be made.
*/
#ifndef AUGUR_SYNTH_H
#define AUGUR_SYNTH_H

#include <stdint.h>

#include "base/err.h"

typedef struct synth_opts {
    const char *arch;            /* llama, qwen2moe, qwen3moe, olmoe, granitemoe */
    int      width, layers, heads, heads_kv;
    int      head_dim;           /* 0: width / heads */
    int      experts, experts_used;   /* 0, 0: dense (llama only) */
    int      ff;                 /* the dense or expert FFN width */
    int      ff_shared;          /* qwen2moe's shared expert; 0: 2 × ff */
    int      vocab, context;
    uint32_t type;               /* enum ggml_type of the matrices */
    int      tied;               /* no output.weight: the embedding serves */
    uint64_t seed;
    int      threads;            /* 0: the physical cores */
    /* called after each tensor is made, with the bytes made so far and in all */
    void   (*progress)(void *ctx, uint64_t done, uint64_t total);
    void    *progress_ctx;
} synth_opts;

#define SYNTH_OPTS_DEFAULT { "llama", 64, 2, 4, 0, 0, 0, 0, 128, 0, 512, 256, 0, 0, 1, 0, NULL, NULL }

int synth_write(const synth_opts *o, const char *path, augur_err *err);

#endif
