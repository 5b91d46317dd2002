/*
** generate.h — text from a prompt: tokenize, evaluate, sample, stream.
**
**     generate_params p = GENERATE_PARAMS_DEFAULT;
**     p.max_tokens = 64;
**     p.on_text = print;                   // called with each piece of text, as it comes
**     p.cancel = &stop_flag;               // another thread may set it
**     generate(e, tok, "Once upon a time", 16, &p, &result, &err);
**
** The prompt is tokenized with BOS as the vocabulary says (or given as tokens, the
** first `cached` of them already in the engine's cache) and evaluated in one call
** (in batches); then one token at a time is sampled, decoded (a character split
** across tokens is held until whole) and passed on. Generation ends at max_tokens,
** at the end-of-sequence token or one of `ends`, at a stop string (the text before
** it is passed on, the stop string itself is not: text that could be the start of
** a stop string is held back until it is known not to be), when cancel is set
** (checked between tokens), when on_text returns non-zero, when the context is
** full, or when the constraint says the text is complete.
*/
#ifndef AUGUR_GENERATE_H
#define AUGUR_GENERATE_H

#include <stdatomic.h>
#include <stddef.h>

#include "model/engine.h"
#include "model/sample.h"
#include "model/tokenizer.h"

typedef int generate_fn(void *ctx, const char *text, size_t len);

/* What may be sampled (a grammar, say). The sampled token is asked about first;
** only when it is refused are the logits masked and a token sampled again. left:
** the tokens that may still be generated, this one included. */
typedef struct generate_constraint {
    void  *ctx;
    int    (*allows)(void *ctx, int32_t token, int left);
    /* set the logits of the tokens it refuses to -inf; how many it allows */
    size_t (*mask)(void *ctx, float *logits, int left);
    /* token was taken; non-zero when the text is complete and nothing may follow */
    int    (*accept)(void *ctx, int32_t token);
} generate_constraint;

typedef struct generate_params {
    int                max_tokens;
    sampler_params     sampling;
    const char *const *stops;          /* stop strings, n_stops of them */
    size_t             n_stops;
    generate_fn       *on_text;
    void              *ctx;
    const atomic_int  *cancel;         /* non-zero: stop before the next token */
    const int32_t     *tokens;         /* the prompt as tokens (the text is then not used) */
    size_t             n_tokens;
    size_t             cached;         /* of which the engine's cache holds the first */
    const int32_t     *ends;           /* tokens that end the text as end-of-sequence does */
    size_t             n_ends;
    const generate_constraint *constraint;
} generate_params;

#define GENERATE_PARAMS_DEFAULT { 128, SAMPLER_PARAMS_DEFAULT, NULL, 0, NULL, NULL, NULL, NULL, \
                                  0, 0, NULL, 0, NULL }

enum generate_end {
    GENERATE_LENGTH, GENERATE_EOS, GENERATE_STOP, GENERATE_CANCELLED, GENERATE_CALLBACK,
    GENERATE_CONTEXT, GENERATE_COMPLETE
};

typedef struct generate_result {
    enum generate_end end;
    int      prompt_tokens, tokens;     /* evaluated from the prompt; generated */
    double   prompt_seconds, seconds;   /* evaluating the prompt; generating */
} generate_result;

const char *generate_end_name(enum generate_end end);   /* "length", "eos", "stop", ... */

/* Generation continues the engine's cache (engine_rewind(e, 0) first for a fresh one). */
int generate(engine *e, tokenizer *tok, const char *prompt, size_t len, const generate_params *p,
             generate_result *r, augur_err *err);

#endif
