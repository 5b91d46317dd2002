/* info.c — the summary of a model file. */
#include "model/info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The integer under "ARCH.suffix", or dflt. */
static int64_t arch_int(const gguf *g, gguf_str arch, const char *suffix, int64_t dflt)
{
    char key[160];

    snprintf(key, sizeof key, "%.*s.%s", (int)(arch.len > 100 ? 100 : arch.len),
             arch.ptr ? arch.ptr : "", suffix);
    return gguf_find_int(g, key, dflt);
}

static int by_bytes(const void *a, const void *b)
{
    const model_type_use *x = a, *y = b;
    return (x->bytes < y->bytes) - (x->bytes > y->bytes);
}

static void count_tensors(const gguf *g, model_info *m)
{
    model_type_use all[GGML_TYPE_COUNT] = { 0 };

    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *t = gguf_tensor_at(g, i);
        m->params += t->n_elements;
        m->tensor_bytes += t->size;
        if (strstr(t->name, "_exps"))
            m->expert_params += t->n_elements;
        all[t->type].type = t->type;
        all[t->type].tensors++;
        all[t->type].bytes += t->size;
    }
    m->tensors = gguf_tensor_count(g);
    for (int t = 0; t < GGML_TYPE_COUNT; t++)
        if (all[t].tensors)
            m->types[m->n_types++] = all[t];
    qsort(m->types, (size_t)m->n_types, sizeof m->types[0], by_bytes);
}

void model_info_get(const gguf *g, model_info *m)
{
    int64_t head_k, head_v;

    memset(m, 0, sizeof *m);
    m->arch = gguf_find_str(g, "general.architecture");
    m->name = gguf_find_str(g, "general.name");
    count_tensors(g, m);
    m->experts = arch_int(g, m->arch, "expert_count", 0);
    m->experts_used = arch_int(g, m->arch, "expert_used_count", 0);
    m->active_params = m->params;
    if (m->experts > 0 && m->experts_used > 0 && m->experts_used <= m->experts)
        m->active_params = m->params - m->expert_params +
                           m->expert_params / (uint64_t)m->experts * (uint64_t)m->experts_used;
    m->layers = arch_int(g, m->arch, "block_count", 0);
    m->width = arch_int(g, m->arch, "embedding_length", 0);
    m->context = arch_int(g, m->arch, "context_length", 0);
    m->heads = arch_int(g, m->arch, "attention.head_count", 0);
    m->heads_kv = arch_int(g, m->arch, "attention.head_count_kv", m->heads);
    head_k = arch_int(g, m->arch, "attention.key_length", m->heads > 0 ? m->width / m->heads : 0);
    head_v = arch_int(g, m->arch, "attention.value_length", head_k);
    if (m->layers > 0 && m->context > 0 && m->heads_kv > 0 && head_k > 0 && head_v > 0)
        m->kv_bytes = (uint64_t)m->layers * (uint64_t)m->context * (uint64_t)m->heads_kv *
                      ((uint64_t)head_k + (uint64_t)head_v) * sizeof(float);
    m->tokenizer = gguf_find_str(g, "tokenizer.ggml.model");
    m->vocab_size = gguf_array_len(gguf_find(g, "tokenizer.ggml.tokens"));
    m->has_chat_template = gguf_find(g, "tokenizer.chat_template") != NULL;
}
