/*
** model.h — the one interface through which augur asks a language model anything.
**
**     model_config mc = MODEL_CONFIG_DEFAULT;
**     mc.backend = MODEL_HTTP;
**     mc.name = "qwen3-30b";
**     mc.http.url = "http://127.0.0.1:8080/v1";
**     model *m;
**     if (model_open(&m, &mc, &err) != AUGUR_OK) ...
**     model_message msgs[] = { { MODEL_SYSTEM, "Answer briefly." }, { MODEL_USER, "2 + 2?" } };
**     model_options o = MODEL_OPTIONS_DEFAULT;
**     model_result r;
**     rc = model_chat(m, msgs, 2, &o, &r, &err);   // r.text, r.tool_calls, r.finish, ...
**     model_result_free(&r);
**     model_close(m);
**
** Backends: the local GGUF engine, any server speaking the OpenAI chat API, and
** replay from a file of recorded calls. Any of them may record every call to a
** JSONL file and answer from a SQLite cache (model_config.record, .cache).
**
** A call becomes a request (the body an OpenAI-style server would receive, without
** the streaming flags) whose canonical JSON (keys sorted, no insignificant
** whitespace) is hashed with SHA-256: records, replay and the cache find calls by
** that hash, so it does not matter how a request was built. The API key is sent
** only in a header: it is never logged and never recorded.
**
** Failures have their own codes: AUGUR_ENETWORK (no connection, or it broke),
** AUGUR_EHTTP (an error status), AUGUR_ERATELIMIT (429 after the retries),
** AUGUR_ETIMEOUT, AUGUR_EBADRESPONSE (not what the protocol says, or a reply that
** does not satisfy the schema asked for), AUGUR_ECONTEXT (the prompt does not fit),
** AUGUR_ECANCELLED (the cancel flag, or the stream callback asked to stop),
** AUGUR_ELIMIT (a response larger than allowed), AUGUR_ENOTFOUND (replay: a call
** that was never recorded). On failure the result still holds what came before it
** (text streamed so far, the last HTTP status, the attempts made).
**
** One handle is used from one thread at a time; several may share a process.
*/
#ifndef AUGUR_MODEL_H
#define AUGUR_MODEL_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/engine.h"
#include "model/sample.h"

typedef struct model model;

enum model_backend_kind { MODEL_LOCAL, MODEL_HTTP, MODEL_REPLAY };

/* "local", "http", "replay"; parse gives -1 for another name. */
const char *model_backend_name(enum model_backend_kind kind);
int         model_backend_parse(const char *name);

/* ---- opening ------------------------------------------------------------------------- */

typedef struct model_http_config {
    const char *url;                 /* base URL: POST {url}/chat/completions, {url}/embeddings */
    const char *api_key_env;         /* the environment variable holding the key; "" none */
    const char *const *headers;      /* extra "Name: value" lines, n_headers of them */
    size_t      n_headers;
    long        connect_timeout_ms;  /* to establish the connection */
    long        timeout_ms;          /* a whole attempt, from connecting to the last byte */
    long        idle_timeout_ms;     /* most time without a byte from the server */
    int         retries;             /* further attempts after connection errors, 429, 5xx */
    long        backoff_ms;          /* the first wait; doubled each retry, with jitter */
    long        backoff_max_ms;      /* longest wait; a longer Retry-After fails at once */
    size_t      max_response_bytes;  /* larger responses are refused (AUGUR_ELIMIT) */
} model_http_config;

#define MODEL_HTTP_CONFIG_DEFAULT { "http://127.0.0.1:8080/v1", "OPENAI_API_KEY", NULL, 0, \
                                    10000, 600000, 120000, 4, 500, 30000, 16u << 20 }

typedef struct model_local_config {
    const char     *template;   /* "auto" (from tokenizer.chat_template) or a family's name */
    engine_opts     engine;
    engine_routing  routing;
    sampler_params  sampling;   /* top_k, min_p, the penalty; the rest comes from the call */
} model_local_config;

#define MODEL_LOCAL_CONFIG_DEFAULT { "auto", ENGINE_OPTS_DEFAULT, ENGINE_ROUTING_DEFAULT, \
                                     SAMPLER_PARAMS_DEFAULT }

typedef struct model_config {
    enum model_backend_kind backend;
    const char *name;            /* local: the GGUF file; http: the server's model name */
    const char *embedding;       /* the model for embeddings; "" or NULL: name */
    const char *replay;          /* replay: the recorded JSONL file */
    const char *record;          /* "" or NULL; else every call is appended to this file */
    const char *cache;           /* "" or NULL; else the SQLite cache file */
    int64_t     cache_ttl_s;     /* cached replies older than this are not used; 0: forever */
    double      price_input;     /* cost of a million prompt tokens */
    double      price_output;    /* cost of a million completion tokens */
    int         max_tokens;      /* the defaults of model_options */
    double      temperature, top_p;
    int64_t     seed;
    model_http_config  http;
    model_local_config local;
} model_config;

#define MODEL_CONFIG_DEFAULT { MODEL_HTTP, "", NULL, NULL, NULL, NULL, 604800, 0, 0, 512, 0.8, \
                               0.95, 0, MODEL_HTTP_CONFIG_DEFAULT, MODEL_LOCAL_CONFIG_DEFAULT }

/* A handle for cfg, whose strings are copied. The local backend loads the model
** here; the HTTP backend reads its API key here (and keeps it only in a header). */
int  model_open(model **out, const model_config *cfg, augur_err *err);
void model_close(model *m);

enum model_backend_kind model_backend_of(const model *m);
const char *model_name(const model *m);

/* ---- chat ---------------------------------------------------------------------------- */

enum model_role { MODEL_SYSTEM, MODEL_USER, MODEL_ASSISTANT, MODEL_TOOL };

const char *model_role_name(enum model_role role);   /* "system", "user", ... */

typedef struct model_tool_call {
    char *id;          /* as the server named it ("" when it gave none) */
    char *name;
    char *arguments;   /* a JSON object, as text */
} model_tool_call;

typedef struct model_message {
    enum model_role        role;
    const char            *content;        /* may be NULL for an assistant's tool calls */
    const model_tool_call *tool_calls;     /* an assistant's earlier calls */
    size_t                 n_tool_calls;
    const char            *tool_call_id;   /* a tool's answer: the call it answers */
} model_message;

typedef struct model_tool {
    const char *name;
    const char *description;
    const char *parameters;   /* a JSON Schema of the arguments, as text; NULL: none */
} model_tool;

enum model_tool_choice { MODEL_TOOLS_AUTO, MODEL_TOOLS_REQUIRED, MODEL_TOOLS_NONE };

/* Called with each piece of the reply's text as it comes; non-zero stops the call
** (AUGUR_ECANCELLED). */
typedef int model_stream_fn(void *ctx, const char *text, size_t len);

typedef struct model_options {
    int                    max_tokens;    /* 0: the handle's */
    double                 temperature;   /* < 0: the handle's */
    double                 top_p;         /* < 0: the handle's */
    int64_t                seed;          /* < 0: the handle's */
    const char *const     *stops;         /* stop strings, n_stops of them */
    size_t                 n_stops;
    const char            *schema;        /* a JSON Schema the reply must satisfy, or NULL */
    const model_tool      *tools;
    size_t                 n_tools;
    enum model_tool_choice tool_choice;
    model_stream_fn       *on_text;       /* streaming; NULL: the reply comes whole */
    void                  *ctx;
    const atomic_int      *cancel;        /* non-zero: stop as soon as possible */
} model_options;

#define MODEL_OPTIONS_DEFAULT { 0, -1, -1, -1, NULL, 0, NULL, NULL, 0, MODEL_TOOLS_AUTO, NULL, \
                                NULL, NULL }

enum model_finish {
    MODEL_FINISH_NONE,            /* no reply (the call failed) */
    MODEL_FINISH_STOP,            /* the model ended, or a stop string came */
    MODEL_FINISH_LENGTH,          /* max_tokens, or the context, ran out */
    MODEL_FINISH_TOOL_CALLS,      /* the reply is tool calls */
    MODEL_FINISH_CONTENT_FILTER   /* the server withheld the reply */
};

/* "none", "stop", "length", "tool_calls", "content_filter"; parse gives -1 otherwise. */
const char *model_finish_name(enum model_finish f);
int         model_finish_parse(const char *name);

typedef struct model_result {
    char            *text;            /* the reply's text, NUL-terminated; never NULL */
    size_t           len;
    model_tool_call *tool_calls;
    size_t           n_tool_calls;
    enum model_finish finish;
    int64_t          prompt_tokens, completion_tokens;
    double           latency_ms;      /* from the call to the reply's end */
    double           cost;            /* from the prices; 0 when cached */
    int              http_status;     /* the last status seen; 0: none */
    int              attempts;        /* requests sent */
    int              cached;          /* answered from the cache or a replay file */
} model_result;

/* Ask. r is always set, on failure too (free it either way). */
int  model_chat(model *m, const model_message *msgs, size_t n, const model_options *o,
                model_result *r, augur_err *err);
void model_result_free(model_result *r);

/* ---- embeddings and tokens ----------------------------------------------------------- */

typedef struct model_vectors {
    float  *data;   /* n rows of dim floats */
    size_t  n, dim;
} model_vectors;

/* One vector per text, in order. out is always set (free it either way). */
int  model_embed(model *m, const char *const *texts, size_t n, model_vectors *out,
                 augur_err *err);
void model_vectors_free(model_vectors *v);

/* Tokens text[len] takes. *exact is 1 when the model's own tokenizer counted them,
** 0 for an estimate (a server without a tokenizer at hand: one token per 4 bytes). */
int model_count_tokens(model *m, const char *text, size_t len, int64_t *n, int *exact,
                       augur_err *err);

/* ---- what a run has used ------------------------------------------------------------- */

typedef struct model_totals {
    int64_t calls;          /* chat and embedding calls */
    int64_t cached;         /* of which answered from the cache */
    int64_t failed;         /* of which failed */
    int64_t prompt_tokens, completion_tokens;
    double  cost;
} model_totals;

void model_totals_get(const model *m, model_totals *out);

#endif
