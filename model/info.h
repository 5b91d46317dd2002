/*
** info.h — what a GGUF model is, in the figures `augur model info` shows:
** architecture, parameters (all, and active per token for mixtures of experts),
** tensor types, tokenizer, chat template, and the memory it needs to run.
*/
#ifndef AUGUR_MODEL_INFO_H
#define AUGUR_MODEL_INFO_H

#include <stdint.h>

#include "model/gguf.h"

typedef struct model_type_use {
    uint32_t type;        /* enum ggml_type */
    uint64_t tensors;
    uint64_t bytes;
} model_type_use;

typedef struct model_info {
    gguf_str arch, name;             /* general.architecture, general.name */
    uint64_t params;                 /* elements of all tensors */
    uint64_t expert_params;          /* elements of the expert tensors (*_exps) */
    uint64_t active_params;          /* per token: all but the experts not chosen */
    int64_t  experts, experts_used;  /* 0 for a dense model */
    int64_t  layers, width, context, heads, heads_kv;
    uint64_t tensors, tensor_bytes;
    model_type_use types[GGML_TYPE_COUNT];   /* the types used, most bytes first */
    int      n_types;
    gguf_str tokenizer;              /* tokenizer.ggml.model; {NULL, 0} when none */
    uint64_t vocab_size;
    int      has_chat_template;
    uint64_t kv_bytes;               /* K and V at the full context, in f32 */
} model_info;

/* Fill out from g's metadata and tensor table. */
void model_info_get(const gguf *g, model_info *out);

#endif
