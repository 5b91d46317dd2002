/*
** local.c — the backend that runs a GGUF model here: the engine behind the model
** interface.
**
** A chat is written with the model's chat template, tokenized (control tokens in
** the template are parsed), and generated from; the prompt the engine's cache
** already holds (the common beginning with the last call's) is not evaluated
** again. A JSON Schema or tools become a grammar that constrains sampling: the
** sampled token is checked first and the whole vocabulary masked only when it is
** refused; when the tokens left barely suffice, only tokens that bring the text
** closer to an end are allowed, so a reply under a schema is always whole. With
** tools the model may call one by writing <tool_call>{"name", "arguments"}</tool_call>
** (the grammar switches on at the opening); with tool_choice required it must.
** Embeddings are the final hidden states, after the output norm, averaged over
** the text's tokens and scaled to length 1.
*/
#include "base/json.h"
#include "base/log.h"
#include "model/backend.h"
#include "model/generate.h"
#include "model/grammar.h"
#include "model/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct local_backend {
    model_backend      base;
    model_local_config cfg;
    char              *path;
    engine            *e;
    tokenizer         *tok;
    grammar_vocab     *vocab;     /* made on the first constrained call */
    enum chat_template tmpl;
    int32_t            ends[4];   /* the template's end-of-turn tokens */
    size_t             n_ends;
    token_list         cached;    /* the prompt the engine's cache begins with */
} local_backend;

/* ---- the constraint during sampling ------------------------------------------------- */

typedef struct local_constraint {
    local_backend   *lb;
    grammar_matcher *m;
    uint8_t         *allowed;
    int              waiting;     /* tools offered, none called yet: free text until the opening */
    buf              tail;        /* while waiting: the last bytes, to find the opening in */
} local_constraint;

static int is_end(const local_backend *lb, int32_t t)
{
    if (t == tokenizer_eos(lb->tok))
        return 1;
    for (size_t i = 0; i < lb->n_ends; i++)
        if (lb->ends[i] == t)
            return 1;
    return 0;
}

/* The most bytes a token may leave to an end with left tokens to go (this one
** included): one byte a token must then suffice. */
static size_t budget(int left)
{
    return left > 1 ? (size_t)left - 1 : 0;
}

static int lc_allows(void *ctx, int32_t t, int left)
{
    local_constraint *c = ctx;

    if (c->waiting)
        return 1;
    if (is_end(c->lb, t))
        return grammar_matcher_accepting(c->m);
    return grammar_allows_token(c->m, c->lb->vocab, t, budget(left));
}

static size_t lc_mask(void *ctx, float *logits, int left)
{
    local_constraint *c = ctx;
    const grammar_vocab *v = c->lb->vocab;
    size_t n = grammar_mask(c->m, v, budget(left), c->allowed), size = grammar_vocab_size(v);

    if (n == 0)   /* no way to an end in time: any way on */
        n = grammar_mask(c->m, v, SIZE_MAX, c->allowed);
    for (size_t id = 0; id < size; id++) {
        int end = is_end(c->lb, (int32_t)id);
        if (end && grammar_matcher_accepting(c->m))
            n++;
        else if (end || !c->allowed[id])
            logits[id] = -INFINITY;
    }
    return n;
}

/* While waiting: has the opening come? Then the grammar takes what followed it. */
static void lc_watch(local_constraint *c, const char *text, size_t n)
{
    size_t open = strlen(GRAMMAR_TOOL_OPEN), at;
    const char *hit;

    buf_add(&c->tail, text, n);
    if (!(hit = memmem(c->tail.data, c->tail.len, GRAMMAR_TOOL_OPEN, open))) {
        if (c->tail.len >= open) {
            memmove(c->tail.data, c->tail.data + c->tail.len - (open - 1), open - 1);
            buf_truncate(&c->tail, open - 1);
        }
        return;
    }
    at = (size_t)(hit - c->tail.data) + open;
    c->waiting = 0;
    if (grammar_matcher_accept(c->m, c->tail.data + at, c->tail.len - at) != AUGUR_OK)
        c->waiting = -1;   /* what followed cannot begin a call: free text to the end */
}

static int lc_accept(void *ctx, int32_t t)
{
    local_constraint *c = ctx;
    size_t n;
    const char *text = grammar_vocab_text(c->lb->vocab, t, &n);

    if (c->waiting) {
        if (c->waiting > 0 && text)
            lc_watch(c, text, n);
        return 0;
    }
    if (text)
        grammar_matcher_accept(c->m, text, n);
    return grammar_matcher_complete(c->m);
}

/* ---- chat --------------------------------------------------------------------------- */

/* The tools as the system is told about them. */
static int tools_prompt(const cJSON *tools, buf *out)
{
    const cJSON *t;

    buf_puts(out, "You may call one of these tools. To call one, write only\n"
                  GRAMMAR_TOOL_OPEN "{\"name\": NAME, \"arguments\": {...}}" GRAMMAR_TOOL_CLOSE
                  "\nTools:\n");
    cJSON_ArrayForEach(t, tools) {
        if (json_canonical(out, cJSON_GetObjectItemCaseSensitive(t, "function")) != AUGUR_OK)
            return AUGUR_ENOMEM;
        buf_putc(out, '\n');
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

/* A token's text as the vocabulary has it, NUL-terminated ("" for none). */
static void token_text(const tokenizer *tok, int32_t id, char *out, size_t size)
{
    gguf_str s = id >= 0 ? tokenizer_token_text(tok, id) : (gguf_str){ NULL, 0 };

    snprintf(out, size, "%.*s", (int)s.len, s.ptr ? s.ptr : "");
}

static int prompt_make(local_backend *lb, const model_call *call, const cJSON *tools,
                       token_list *ids, augur_err *err)
{
    buf text = BUF_INIT, sys = BUF_INIT;
    char bos[64], eos[64];
    int rc;

    token_text(lb->tok, tokenizer_bos(lb->tok), bos, sizeof bos);
    token_text(lb->tok, tokenizer_eos(lb->tok), eos, sizeof eos);
    if (tools && tools_prompt(tools, &sys) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if ((rc = chat_template_render(lb->tmpl, call->msgs, call->n_msgs,
                                        tools ? buf_str(&sys) : NULL, bos, eos, &text,
                                        err)) == AUGUR_OK)
        rc = tokenizer_encode(lb->tok, buf_str(&text), text.len, TOKENIZE_PARSE_SPECIAL, ids, err);
    buf_free(&text);
    buf_free(&sys);
    return rc;
}

/* How a reply is read: as text, as text perhaps ending in a marked tool call, or
** as a tool call and nothing else. */
enum reply_form { REPLY_TEXT, REPLY_MARKED, REPLY_CALL };

/* The grammar a call asks for, or NULL (c->waiting: tools offered, the grammar
** switched on when the model opens a call). */
static int grammar_for(const cJSON *req, enum reply_form form, local_constraint *c, grammar **g,
                       augur_err *err)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(req, "response_format");
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(fmt, "json_schema"), "schema");
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools");

    *g = NULL;
    if (form == REPLY_CALL)
        return grammar_new(g, GRAMMAR_TOOL, NULL, tools, err);
    if (form == REPLY_MARKED && schema)
        return grammar_new(g, GRAMMAR_SCHEMA_OR_TOOL, schema, tools, err);
    if (form == REPLY_MARKED) {
        c->waiting = 1;
        return grammar_new(g, GRAMMAR_AFTER_TRIGGER, NULL, tools, err);
    }
    return schema ? grammar_new(g, GRAMMAR_SCHEMA, schema, NULL, err) : AUGUR_OK;
}

/* The tool call in JSON text {"name", "arguments"}, added to r. */
static int tool_call_take(const char *json, size_t len, model_result *r, augur_err *err)
{
    cJSON *doc = cJSON_ParseWithLength(json, len);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(doc, "name");
    const cJSON *args = cJSON_GetObjectItemCaseSensitive(doc, "arguments");
    buf text = BUF_INIT;
    char id[32];
    int rc;

    if (!cJSON_IsString(name) || !cJSON_IsObject(args)) {
        cJSON_Delete(doc);
        return augur_err_set(err, AUGUR_EBADRESPONSE, "the local model's tool call is not "
                             "{\"name\", \"arguments\"}");
    }
    snprintf(id, sizeof id, "call_%zu", r->n_tool_calls);
    rc = json_canonical(&text, args) == AUGUR_OK
             ? reply_tool_call_add(r, id, name->valuestring, text.data, text.len) : AUGUR_ENOMEM;
    buf_free(&text);
    cJSON_Delete(doc);
    return rc == AUGUR_OK ? rc : augur_err_set(err, rc, "out of memory");
}

/* The reply from the generated text, read as form says. */
static int reply_take(const char *text, size_t len, enum reply_form form, model_result *r,
                      augur_err *err)
{
    const char *open = form == REPLY_MARKED ? memmem(text, len, GRAMMAR_TOOL_OPEN,
                                                     strlen(GRAMMAR_TOOL_OPEN)) : NULL;
    const char *close = open ? memmem(open, len - (size_t)(open - text), GRAMMAR_TOOL_CLOSE,
                                      strlen(GRAMMAR_TOOL_CLOSE)) : NULL;
    size_t keep = len;
    int rc;

    if (form == REPLY_CALL) {
        if ((rc = tool_call_take(text, len, r, err)) != AUGUR_OK)
            return rc;
        r->finish = MODEL_FINISH_TOOL_CALLS;
        keep = 0;
    } else if (close) {
        const char *json = open + strlen(GRAMMAR_TOOL_OPEN);
        if ((rc = tool_call_take(json, (size_t)(close - json), r, err)) != AUGUR_OK)
            return rc;
        r->finish = MODEL_FINISH_TOOL_CALLS;
        keep = (size_t)(open - text);
        while (keep && (text[keep - 1] == ' ' || text[keep - 1] == '\n'))
            keep--;
    }
    return reply_text_set(r, text, keep) == AUGUR_OK ? AUGUR_OK
         : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
}

typedef struct collect {
    buf                  text;
    const model_options *o;
    int                  stream;   /* pass pieces on as they come */
} collect;

static int collect_text(void *ctx, const char *text, size_t len)
{
    collect *c = ctx;

    if (buf_add(&c->text, text, len) != AUGUR_OK)
        return 1;
    return c->stream ? c->o->on_text(c->o->ctx, text, len) : 0;
}

static size_t common_prefix(const token_list *a, const token_list *b)
{
    size_t n = 0;

    while (n < a->len && n < b->len && a->ids[n] == b->ids[n])
        n++;
    return n;
}

static int local_vocab(local_backend *lb, augur_err *err)
{
    return lb->vocab ? AUGUR_OK : grammar_vocab_new(&lb->vocab, lb->tok, err);
}

/* Remember that the engine's cache begins with prompt. */
static void cache_note(local_backend *lb, const token_list *prompt)
{
    lb->cached.len = 0;
    for (size_t i = 0; i < prompt->len; i++)
        if (token_list_push(&lb->cached, prompt->ids[i]) != AUGUR_OK) {
            lb->cached.len = 0;
            return;
        }
}

/* Generate for prompt under the constraint c (or none); the outcome in res. */
static int local_generate(local_backend *lb, const model_call *call, token_list *prompt,
                          local_constraint *c, collect *col, generate_result *res,
                          augur_err *err)
{
    const model_options *o = call->o;
    generate_constraint gc = { c, lc_allows, lc_mask, lc_accept };
    generate_params p = GENERATE_PARAMS_DEFAULT;
    int rc;

    p.max_tokens = o->max_tokens;
    p.sampling = lb->cfg.sampling;
    p.sampling.temperature = o->temperature;
    p.sampling.top_p = o->top_p;
    p.sampling.seed = (uint64_t)o->seed;
    p.stops = o->stops;
    p.n_stops = o->n_stops;
    p.on_text = collect_text;
    p.ctx = col;
    p.cancel = o->cancel;
    p.tokens = prompt->ids;
    p.n_tokens = prompt->len;
    p.cached = common_prefix(&lb->cached, prompt);
    p.ends = lb->ends;
    p.n_ends = lb->n_ends;
    p.constraint = c ? &gc : NULL;
    lb->cached.len = 0;   /* until the prompt is in */
    rc = generate(lb->e, lb->tok, NULL, 0, &p, res, err);
    if (engine_pos(lb->e) >= (int)prompt->len)
        cache_note(lb, prompt);
    return rc;
}

static int local_finish(const generate_result *res, model_result *r, augur_err *err)
{
    switch (res->end) {
    case GENERATE_CANCELLED:
        return augur_err_set(err, AUGUR_ECANCELLED, "cancelled");
    case GENERATE_CALLBACK:
        return augur_err_set(err, AUGUR_ECANCELLED, "cancelled by the stream callback");
    case GENERATE_LENGTH:
    case GENERATE_CONTEXT:
        r->finish = MODEL_FINISH_LENGTH;
        return AUGUR_OK;
    default:
        r->finish = MODEL_FINISH_STOP;
        return AUGUR_OK;
    }
}

static int local_chat(model_backend *b, const model_call *call, model_result *r, augur_err *err)
{
    local_backend *lb = (local_backend *)b;
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(call->request, "tools");
    const cJSON *choice = cJSON_GetObjectItemCaseSensitive(call->request, "tool_choice");
    const char *how = cJSON_IsString(choice) ? choice->valuestring : "auto";
    enum reply_form form = !tools || strcmp(how, "none") == 0 ? REPLY_TEXT
                         : strcmp(how, "required") == 0     ? REPLY_CALL
                                                            : REPLY_MARKED;
    local_constraint c = { lb, NULL, NULL, 0, BUF_INIT };
    collect col = { BUF_INIT, call->o, call->o->on_text && form == REPLY_TEXT };
    token_list prompt = TOKEN_LIST_INIT;
    generate_result res = { 0 };
    grammar *g = NULL;
    int rc;

    r->attempts = 1;
    if ((rc = prompt_make(lb, call, form != REPLY_TEXT ? tools : NULL, &prompt, err)) != AUGUR_OK)
        goto done;
    r->prompt_tokens = (int64_t)prompt.len;
    if (prompt.len >= (size_t)engine_context(lb->e)) {
        rc = augur_err_set(err, AUGUR_ECONTEXT, "%s: the prompt has %zu tokens, the context holds "
                           "%d (model.context)", lb->path, prompt.len, engine_context(lb->e));
        goto done;
    }
    if ((rc = grammar_for(call->request, form, &c, &g, err)) != AUGUR_OK)
        goto done;
    if (g && ((rc = local_vocab(lb, err)) != AUGUR_OK ||
              (rc = grammar_matcher_new(&c.m, g, err)) != AUGUR_OK))
        goto done;
    if (g && !(c.allowed = malloc(grammar_vocab_size(lb->vocab)))) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        goto done;
    }
    rc = local_generate(lb, call, &prompt, g ? &c : NULL, &col, &res, err);
    r->completion_tokens = res.tokens;
    if (rc == AUGUR_OK && (rc = local_finish(&res, r, err)) == AUGUR_OK)
        rc = reply_take(buf_str(&col.text), col.text.len, form, r, err);
    else if (rc == AUGUR_ECANCELLED)
        reply_text_set(r, buf_str(&col.text), col.text.len);
    if (rc == AUGUR_OK && form != REPLY_TEXT && call->o->on_text && r->len &&
        call->o->on_text(call->o->ctx, r->text, r->len) != 0)
        rc = augur_err_set(err, AUGUR_ECANCELLED, "cancelled by the stream callback");
done:
    grammar_matcher_free(c.m);
    grammar_free(g);
    free(c.allowed);
    buf_free(&c.tail);
    buf_free(&col.text);
    token_list_free(&prompt);
    return rc;
}

/* ---- embeddings and counts ------------------------------------------------------------ */

static int local_embed(model_backend *b, const cJSON *request, const char *hash,
                       model_vectors *out, int64_t *tokens, augur_err *err)
{
    local_backend *lb = (local_backend *)b;
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(request, "input"), *text;
    size_t n = (size_t)cJSON_GetArraySize(input), dim = (size_t)engine_shape_of(lb->e)->width;
    size_t i = 0;
    int rc;

    (void)hash;
    *tokens = 0;
    if (vectors_alloc(out, n, dim) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    lb->cached.len = 0;
    cJSON_ArrayForEach(text, input) {
        token_list ids = TOKEN_LIST_INIT;
        float *row = out->data + i++ * dim;
        double norm = 0;
        rc = tokenizer_encode(lb->tok, text->valuestring, strlen(text->valuestring),
                              TOKENIZE_ADD_SPECIAL, &ids, err);
        if (rc == AUGUR_OK && ids.len == 0)
            rc = augur_err_set(err, AUGUR_EINVAL, "embed: text %zu has no tokens", i - 1);
        else if (rc == AUGUR_OK && ids.len > (size_t)engine_context(lb->e))
            rc = augur_err_set(err, AUGUR_ECONTEXT, "embed: text %zu has %zu tokens, the context "
                               "holds %d", i - 1, ids.len, engine_context(lb->e));
        if (rc == AUGUR_OK) {
            engine_rewind(lb->e, 0);
            rc = engine_embed(lb->e, ids.ids, (int)ids.len, row, err);
        }
        *tokens += (int64_t)ids.len;
        token_list_free(&ids);
        if (rc != AUGUR_OK)
            return rc;
        for (size_t k = 0; k < dim; k++)
            norm += (double)row[k] * row[k];
        for (size_t k = 0; norm > 0 && k < dim; k++)
            row[k] = (float)(row[k] / sqrt(norm));
    }
    return AUGUR_OK;
}

static int local_count(model_backend *b, const char *text, size_t len, int64_t *n, int *exact,
                       augur_err *err)
{
    local_backend *lb = (local_backend *)b;
    token_list ids = TOKEN_LIST_INIT;
    int rc = tokenizer_encode(lb->tok, text, len, 0, &ids, err);

    *n = (int64_t)ids.len;
    *exact = rc == AUGUR_OK;
    token_list_free(&ids);
    return rc;
}

static const char *local_endpoint(const model_backend *b)
{
    return ((const local_backend *)b)->path;
}

static void local_close(model_backend *b)
{
    local_backend *lb = (local_backend *)b;

    if (!lb)
        return;
    grammar_vocab_free(lb->vocab);
    tokenizer_free(lb->tok);
    engine_free(lb->e);
    token_list_free(&lb->cached);
    free(lb->path);
    free(lb);
}

static const model_backend_class local_class = {
    "local", local_chat, local_embed, local_count, local_endpoint, local_close,
};

/* ---- opening ---------------------------------------------------------------------------- */

/* The template model.template names, or the one tokenizer.chat_template is written for. */
static int local_template(local_backend *lb, augur_err *err)
{
    gguf_str jinja = gguf_find_str(engine_gguf(lb->e), "tokenizer.chat_template");
    int t;

    if (strcmp(lb->cfg.template, "auto") != 0) {
        if ((t = chat_template_parse(lb->cfg.template)) < 0)
            return augur_err_set(err, AUGUR_EINVAL, "model.template is '%s': chatml, llama3, "
                                 "mistral, granite, olmoe or auto", lb->cfg.template);
    } else if (!jinja.ptr) {
        return augur_err_set(err, AUGUR_EINVAL, "%s has no chat template "
                             "(tokenizer.chat_template): set model.template to chatml, llama3, "
                             "mistral, granite or olmoe", lb->path);
    } else if ((t = chat_template_detect(jinja.ptr, jinja.len)) < 0) {
        return augur_err_set(err, AUGUR_EINVAL, "%s: its chat template is not one augur knows "
                             "(it begins '%.*s'): set model.template to chatml, llama3, mistral, "
                             "granite or olmoe, whichever the model was trained with", lb->path,
                             (int)(jinja.len < 40 ? jinja.len : 40), jinja.ptr);
    }
    lb->tmpl = (enum chat_template)t;
    for (const char *const *end = chat_template_ends(lb->tmpl); *end && lb->n_ends < 4; end++) {
        token_list ids = TOKEN_LIST_INIT;
        if (tokenizer_encode(lb->tok, *end, strlen(*end), TOKENIZE_PARSE_SPECIAL, &ids, NULL) ==
                AUGUR_OK && ids.len == 1 && tokenizer_token_type(lb->tok, ids.ids[0]) != TOKEN_NORMAL)
            lb->ends[lb->n_ends++] = ids.ids[0];
        token_list_free(&ids);
    }
    return AUGUR_OK;
}

int model_local_open(model_backend **out, const model_config *cfg, augur_err *err)
{
    local_backend *lb;
    int rc;

    *out = NULL;
    if (!cfg->name || !*cfg->name)
        return augur_err_set(err, AUGUR_EINVAL, "model: the local backend needs a GGUF file "
                             "(model.name, --model)");
    if (!(lb = calloc(1, sizeof *lb)) || !(lb->path = strdup(cfg->name))) {
        free(lb);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    lb->base.cls = &local_class;
    lb->cfg = cfg->local;
    if ((rc = engine_open(&lb->e, lb->path, &cfg->local.engine, err)) == AUGUR_OK &&
        (rc = engine_set_routing(lb->e, &cfg->local.routing, err)) == AUGUR_OK &&
        (rc = tokenizer_new(&lb->tok, engine_gguf(lb->e), err)) == AUGUR_OK)
        rc = local_template(lb, err);
    if (rc != AUGUR_OK) {
        local_close(&lb->base);
        return rc;
    }
    lb->cfg.template = NULL;   /* the model's strings may go; the choice is made */
    log_info("model: %s, %s chat template", lb->path, chat_template_name(lb->tmpl));
    *out = &lb->base;
    return AUGUR_OK;
}
