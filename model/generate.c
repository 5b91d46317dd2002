/* generate.c — the generation loop, with stop strings held back while undecided. */
#include "model/generate.h"
#include "base/time.h"

#include <stdlib.h>
#include <string.h>

const char *generate_end_name(enum generate_end end)
{
    static const char *const names[] = { "length", "eos", "stop", "cancelled", "callback",
                                         "context", "complete" };
    return (unsigned)end < sizeof names / sizeof names[0] ? names[end] : "?";
}

typedef struct gen_state {
    const generate_params *p;
    buf                    held;   /* decoded text not passed on yet */
    int                    stopped;
} gen_state;

/* Pass on held[0..n) and keep the rest; non-zero when on_text asks to stop. */
static int emit(gen_state *g, size_t n)
{
    int rc = 0;

    if (n && g->p->on_text)
        rc = g->p->on_text(g->p->ctx, g->held.data, n);
    memmove(g->held.data, g->held.data + n, g->held.len - n);
    buf_truncate(&g->held, g->held.len - n);
    return rc;
}

/* After new text: stop at the first stop string, else pass on all but the longest
** tail that begins some stop string. */
static int release(gen_state *g)
{
    const generate_params *p = g->p;
    size_t first = g->held.len, keep = 0;

    for (size_t i = 0; i < p->n_stops; i++) {
        size_t n = strlen(p->stops[i]);
        const char *at = n ? memmem(g->held.data, g->held.len, p->stops[i], n) : NULL;
        if (at && (size_t)(at - g->held.data) < first) {
            first = (size_t)(at - g->held.data);
            g->stopped = 1;
        }
    }
    if (g->stopped)
        return emit(g, first);
    for (size_t i = 0; i < p->n_stops; i++) {
        size_t n = strlen(p->stops[i]);
        for (size_t k = n > g->held.len ? g->held.len : n ? n - 1 : 0; k > keep; k--)
            if (memcmp(g->held.data + g->held.len - k, p->stops[i], k) == 0) {
                keep = k;
                break;
            }
    }
    return emit(g, g->held.len - keep);
}

static double seconds_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e9;
}

static int is_end(const generate_params *p, const tokenizer *tok, int32_t t)
{
    if (t == tokenizer_eos(tok))
        return 1;
    for (size_t i = 0; i < p->n_ends; i++)
        if (p->ends[i] == t)
            return 1;
    return 0;
}

/* The next token: sampled, and sampled again from the masked logits when the
** constraint refuses it. -1 (with err set) when it allows none. */
static int32_t sample_next(engine *e, sampler *s, const generate_params *p, token_list *hist,
                           float *logits, int generated, augur_err *err)
{
    const generate_constraint *c = p->constraint;
    int32_t next = sampler_sample(s, logits, hist->ids, hist->len);
    int room = engine_context(e) - engine_pos(e) + 1, left = p->max_tokens - generated;

    if (room < left)
        left = room;
    if (!c || c->allows(c->ctx, next, left))
        return next;
    if (c->mask(c->ctx, logits, left) == 0) {
        augur_err_set(err, AUGUR_ESTATE, "generate: the constraint allows no token");
        return -1;
    }
    return sampler_sample(s, logits, hist->ids, hist->len);
}

/* The loop after the prompt: sample, decode, release, evaluate. */
static int gen_loop(engine *e, tokenizer *tok, sampler *s, token_list *hist, float *logits,
                    gen_state *g, generate_result *r, augur_err *err)
{
    const generate_params *p = g->p;
    tokenizer_stream ts;
    int rc = AUGUR_OK;

    tokenizer_stream_init(&ts, tok, 0);
    for (;;) {
        int32_t next;
        if (r->tokens >= p->max_tokens) {
            r->end = GENERATE_LENGTH;
            break;
        }
        if (p->cancel && atomic_load(p->cancel)) {
            r->end = GENERATE_CANCELLED;
            break;
        }
        if ((next = sample_next(e, s, p, hist, logits, r->tokens, err)) < 0)
            return AUGUR_ESTATE;
        if (is_end(p, tok, next)) {
            r->end = GENERATE_EOS;
            break;
        }
        r->tokens++;
        if ((rc = token_list_push(hist, next)) != AUGUR_OK ||
            (rc = tokenizer_stream_push(&ts, next, &g->held, err)) != AUGUR_OK)
            return rc == AUGUR_ENOMEM ? augur_err_set(err, rc, "generate: out of memory") : rc;
        if (p->constraint && p->constraint->accept(p->constraint->ctx, next)) {
            r->end = GENERATE_COMPLETE;
            break;
        }
        if (release(g) != 0) {
            r->end = GENERATE_CALLBACK;
            return AUGUR_OK;
        }
        if (g->stopped) {
            r->end = GENERATE_STOP;
            return AUGUR_OK;
        }
        if (r->tokens >= p->max_tokens)
            continue;
        if (engine_pos(e) >= engine_context(e)) {
            r->end = GENERATE_CONTEXT;
            break;
        }
        if ((rc = engine_eval(e, &next, 1, logits, 0, err)) != AUGUR_OK)
            return rc;
    }
    tokenizer_stream_finish(&ts, &g->held);
    if (release(g) != 0)
        r->end = GENERATE_CALLBACK;
    else if (g->stopped)
        r->end = GENERATE_STOP;
    else if (emit(g, g->held.len) != 0)
        r->end = GENERATE_CALLBACK;
    return AUGUR_OK;
}

/* The prompt's tokens: p's, or prompt[len] tokenized with BOS as the vocabulary says. */
static int prompt_tokens(tokenizer *tok, const char *prompt, size_t len, const generate_params *p,
                         token_list *hist, augur_err *err)
{
    int rc = AUGUR_OK;

    for (size_t i = 0; p->tokens && rc == AUGUR_OK && i < p->n_tokens; i++)
        rc = token_list_push(hist, p->tokens[i]);
    if (rc != AUGUR_OK)
        return augur_err_set(err, rc, "generate: out of memory");
    if (!p->tokens &&
        (rc = tokenizer_encode(tok, prompt, len, TOKENIZE_ADD_SPECIAL, hist, err)) != AUGUR_OK)
        return rc;
    if (hist->len == 0)
        return augur_err_set(err, AUGUR_EINVAL, "generate: the prompt has no tokens");
    return AUGUR_OK;
}

/* Evaluate what the cache does not hold of the prompt (at least its last token, for
** the logits). */
static int prompt_eval(engine *e, const generate_params *p, const token_list *hist,
                       float *logits, augur_err *err)
{
    size_t from = p->tokens && p->cached < hist->len ? p->cached : p->tokens ? hist->len - 1 : 0;

    if (p->tokens)
        engine_rewind(e, (int)from);
    return engine_eval(e, hist->ids + from, (int)(hist->len - from), logits, 0, err);
}

int generate(engine *e, tokenizer *tok, const char *prompt, size_t len, const generate_params *p,
             generate_result *r, augur_err *err)
{
    token_list hist = TOKEN_LIST_INIT;
    gen_state g = { p, BUF_INIT, 0 };
    sampler *s = NULL;
    float *logits = NULL;
    uint64_t t0;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = sampler_new(&s, engine_shape_of(e)->vocab, &p->sampling, err)) != AUGUR_OK)
        return rc;
    if (!(logits = malloc((size_t)engine_shape_of(e)->vocab * sizeof *logits))) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "generate: out of memory");
        goto done;
    }
    if ((rc = prompt_tokens(tok, prompt, len, p, &hist, err)) != AUGUR_OK)
        goto done;
    r->prompt_tokens = (int)hist.len;
    t0 = time_mono_ns();
    if ((rc = prompt_eval(e, p, &hist, logits, err)) != AUGUR_OK)
        goto done;
    r->prompt_seconds = seconds_since(t0);
    t0 = time_mono_ns();
    rc = gen_loop(e, tok, s, &hist, logits, &g, r, err);
    r->seconds = seconds_since(t0);
done:
    sampler_free(s);
    free(logits);
    token_list_free(&hist);
    buf_free(&g.held);
    return rc;
}
