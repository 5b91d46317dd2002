/*
** backend.h — what model.c asks of a backend, and the pieces backends share.
** Private to model/.
**
** model.c turns each call into a request (the OpenAI-style body, a cJSON tree,
** with its canonical text and SHA-256), looks in the cache, asks the backend,
** checks the reply against the schema and the tools, records, caches and counts.
** A backend only answers.
*/
#ifndef AUGUR_MODEL_BACKEND_H
#define AUGUR_MODEL_BACKEND_H

#include <cjson/cJSON.h>

#include "base/buf.h"
#include "model/model.h"

typedef struct model_call {
    const cJSON         *request;     /* model, messages, max_tokens, ..., tools */
    const char          *canonical;   /* the request's canonical JSON */
    const char          *hash;        /* its SHA-256, 64 hex digits */
    const model_message *msgs;        /* as the caller gave them */
    size_t               n_msgs;
    const model_options *o;           /* defaults resolved; on_text and cancel */
} model_call;

typedef struct model_backend model_backend;

typedef struct model_backend_class {
    const char *name;
    /* Fill r's reply (text, tool calls, finish, usage, http_status, attempts). */
    int  (*chat)(model_backend *b, const model_call *call, model_result *r, augur_err *err);
    /* request: {"model", "input": [texts]}; the hash as for chat. */
    int  (*embed)(model_backend *b, const cJSON *request, const char *hash, model_vectors *out,
                  int64_t *tokens, augur_err *err);
    int  (*count)(model_backend *b, const char *text, size_t len, int64_t *n, int *exact,
                  augur_err *err);
    /* What model.c puts in requests as the model's name and its cache key's endpoint. */
    const char *(*endpoint)(const model_backend *b);
    void (*close)(model_backend *b);
} model_backend_class;

struct model_backend {
    const model_backend_class *cls;
};

int model_local_open(model_backend **out, const model_config *cfg, augur_err *err);
int model_http_open(model_backend **out, const model_config *cfg, augur_err *err);

/* *name is set to the model the file's calls were made with when cfg->name is
** empty and they all name one. */
int model_replay_open(model_backend **out, const model_config *cfg, const char **name,
                      augur_err *err);

/* ---- replies, shared by the backends, records and the cache (reply.c) ------------------- */

/* Append a tool call (copies); AUGUR_ENOMEM. */
int reply_tool_call_add(model_result *r, const char *id, const char *name, const char *args,
                        size_t args_len);

/* Replace r's text with text[len]. */
int reply_text_set(model_result *r, const char *text, size_t len);

/* The OpenAI "message" object of a reply ({"content", "tool_calls": [{"id",
** "function": {"name", "arguments"}}]}) into r; AUGUR_EBADRESPONSE naming what is
** missing. */
int reply_from_message(const cJSON *message, model_result *r, augur_err *err);

/* usage.prompt_tokens and usage.completion_tokens of an OpenAI answer, when there. */
void reply_usage(const cJSON *usage, model_result *r);

/* A call's outcome as records and the cache keep it: {"text", "tool_calls": [{"id",
** "name", "arguments"}], "finish_reason", "usage": {...}, "latency_ms",
** "http_status", "attempts"}, or with "error": {"code", "message"} when rc failed. */
cJSON *reply_to_json(const model_result *r, int rc, const augur_err *err);

/* The reverse: fills r and returns the outcome's code (with its message in err). */
int reply_from_json(const cJSON *j, model_result *r, augur_err *err);

/* Vectors as records keep them: {"embeddings": [[...], ...], "prompt_tokens"}. */
cJSON *vectors_to_json(const model_vectors *v, int64_t tokens, int rc, const augur_err *err);
int    vectors_from_json(const cJSON *j, model_vectors *v, int64_t *tokens, augur_err *err);

/* A count for backends without a tokenizer: a token per 4 bytes, not exact. */
int model_count_estimate(model_backend *b, const char *text, size_t len, int64_t *n, int *exact,
                         augur_err *err);

/* n vectors of dim floats, zeroed. */
int vectors_alloc(model_vectors *v, size_t n, size_t dim);

#endif
