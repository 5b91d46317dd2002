/*
** grammar.h — constrained decoding: a JSON Schema (or a set of tools) becomes a
** grammar over bytes, and a matcher says which bytes, and which tokens, may come
** next.
**
**     grammar *g;
**     grammar_matcher *m;
**     grammar_vocab *v;
**     grammar_new(&g, GRAMMAR_SCHEMA, schema, NULL, &err);
**     grammar_matcher_new(&m, g, &err);
**     grammar_vocab_new(&v, tok, &err);
**     if (!grammar_matcher_allows(m, text, n, left)) ... // check the sampled token first,
**     grammar_mask(m, v, left, allowed);                 // the whole vocabulary when rejected
**     grammar_matcher_accept(m, text, n);
**
** The grammar is a set of rules (alternatives of sequences of byte sets and rule
** references); the matcher keeps the set of pushdown stacks that the bytes so far
** leave alive (as llama.cpp's GBNF matcher does over code points), so any rule
** shape works, recursion through $ref included. Working over bytes rather than
** code points lets a token end inside a UTF-8 character.
**
** What a schema becomes: objects write their properties in the schema's order,
** the required ones always and the others when the model chooses, and no other
** properties; strings are UTF-8 without control characters (escapes \" \\ \/ \b
** \f \n \r \t, no \u), minLength..maxLength characters; integers have at most 16
** digits and numbers at most 15 before and 15 after the point and a 2-digit
** exponent, so every number parses to a finite double; arrays have minItems..maxItems
** items; enum and const are their values' canonical JSON; anyOf and oneOf are
** alternatives; between tokens there is at most one space. Keywords that constrain
** values in ways a grammar over text cannot (pattern, minimum, maximum,
** multipleOf, uniqueItems, not, ...) are refused with AUGUR_EINVAL naming the
** keyword and where it is; annotations (description, title, format, ...) are
** ignored.
*/
#ifndef AUGUR_GRAMMAR_H
#define AUGUR_GRAMMAR_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "model/tokenizer.h"

typedef struct grammar grammar;

enum grammar_kind {
    GRAMMAR_SCHEMA,          /* a JSON value that satisfies the schema */
    GRAMMAR_TOOL,            /* a tool call: {"name": NAME, "arguments": {...}} */
    GRAMMAR_SCHEMA_OR_TOOL,  /* the schema's value, or <tool_call>CALL</tool_call> */
    GRAMMAR_AFTER_TRIGGER    /* what follows "<tool_call>": CALL</tool_call> */
};

/* The text that opens and closes a tool call in free text. */
#define GRAMMAR_TOOL_OPEN "<tool_call>"
#define GRAMMAR_TOOL_CLOSE "</tool_call>"

/* schema: the reply's JSON Schema (GRAMMAR_SCHEMA, GRAMMAR_SCHEMA_OR_TOOL); tools:
** an OpenAI "tools" array (each {"function": {"name", "parameters"}}) for the others. */
int  grammar_new(grammar **out, enum grammar_kind kind, const cJSON *schema, const cJSON *tools,
                 augur_err *err);
void grammar_free(grammar *g);

/* Bytes in the shortest text the grammar accepts. */
size_t grammar_min_length(const grammar *g);

/* ---- matching ----------------------------------------------------------------------- */

typedef struct grammar_matcher grammar_matcher;

int  grammar_matcher_new(grammar_matcher **out, const grammar *g, augur_err *err);
void grammar_matcher_free(grammar_matcher *m);
void grammar_matcher_reset(grammar_matcher *m);   /* back to the start */

/* Whether bytes[n] may come next and leave at most limit bytes to an end
** (SIZE_MAX: any number). A generator with k tokens left after this one passes k,
** so that it can always finish with one byte a token. */
int grammar_matcher_allows(grammar_matcher *m, const char *bytes, size_t n, size_t limit);

/* Take bytes[n]; AUGUR_EINVAL (and no change) when they may not come next,
** AUGUR_ENOMEM (and no change) when the stacks cannot be kept. */
int grammar_matcher_accept(grammar_matcher *m, const char *bytes, size_t n);

int grammar_matcher_accepting(const grammar_matcher *m);   /* the text may end here */
int grammar_matcher_complete(const grammar_matcher *m);    /* ... and nothing may follow */

/* Bytes in the shortest way from here to an end. */
size_t grammar_matcher_remaining(const grammar_matcher *m);

/* ---- a vocabulary ------------------------------------------------------------------- */

/* The tokens' texts in a trie, for masks. */
typedef struct grammar_vocab grammar_vocab;

/* From the tokenizer: each token's bytes as they come out in the middle of a text;
** tokens without text (control tokens) are never allowed by a mask. */
int  grammar_vocab_new(grammar_vocab **out, const tokenizer *tok, augur_err *err);
void grammar_vocab_free(grammar_vocab *v);
size_t grammar_vocab_size(const grammar_vocab *v);

/* A token's bytes ({NULL, 0} for one without text). */
const char *grammar_vocab_text(const grammar_vocab *v, int32_t id, size_t *len);

/* allowed[id] = 1 for each token whose text may come next and leave at most limit
** bytes to an end, else 0. Returns how many. */
size_t grammar_mask(grammar_matcher *m, const grammar_vocab *v, size_t limit, uint8_t *allowed);

/* Whether the token may come next, limit as for grammar_mask. */
int grammar_allows_token(grammar_matcher *m, const grammar_vocab *v, int32_t id, size_t limit);

#endif
