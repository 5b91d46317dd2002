/*
** match.c — the grammar's matcher: the pushdown stacks the bytes so far leave
** alive, and the tokens whose text may come next, found through a trie of the
** vocabulary so that a byte the grammar refuses prunes every token that begins
** with it at once.
**
** A stack is a chain of frames, each an element to go on from; they are shared
** (a rule's alternatives continue into one frame) and never changed (but for a
** mark while they are copied), so that a step only adds frames. Frames made while
** looking ahead live in a scratch arena emptied after each question; the frames of
** the current state are copied into one of two arenas on each accepted token, the
** other being emptied.
*/
#include "base/arena.h"
#include "base/buf.h"
#include "model/grammar_impl.h"

#include <stdlib.h>
#include <string.h>

/* Stacks alive at once, and rule references followed without a byte between them,
** beyond which a grammar is too ambiguous or loops. */
enum { MAX_ENTRIES = 1024, MAX_EXPAND = 4096 };

typedef struct gframe {
    int32_t               at;     /* the element to go on from */
    uint32_t              sum;    /* the fewest bytes from here to the end of the stack */
    const struct gframe  *up;     /* where to go when its alternative ends; NULL: the end */
    struct gframe        *moved;  /* while a token is taken: its copy in the next arena */
} gframe;

typedef struct gstate {
    gframe *e;          /* each at a G_BYTES element */
    int     n;
    size_t  cap;
    int     accepting;  /* some stack is empty: the text may end here */
} gstate;

struct grammar_matcher {
    const grammar *g;
    arena         *keep[2];
    int            cur;
    arena         *scratch;
    gstate         state;
    gstate         walk[2];     /* for the bytes of one text */
    gstate        *depth;       /* for the trie walk, one per byte of depth */
    int            n_depth;
    uint32_t       remaining;
    int            broken;      /* out of memory, or an expansion that ran away */
};

/* ---- stacks ------------------------------------------------------------------------ */

static int frames_equal(const gframe *a, const gframe *b)
{
    for (; a && b; a = a->up, b = b->up) {
        if (a == b)
            return 1;
        if (a->at != b->at)
            return 0;
    }
    return a == b;
}

static uint32_t frame_sum(const grammar *g, int32_t at, const gframe *up)
{
    uint32_t r = g->rest[at], u = up ? up->sum : 0;

    return r >= GRAMMAR_INF - u ? GRAMMAR_INF : r + u;
}

static void state_add(grammar_matcher *m, gstate *s, int32_t at, const gframe *up)
{
    for (int i = 0; i < s->n; i++)
        if (s->e[i].at == at && frames_equal(s->e[i].up, up))
            return;
    uint32_t sum = frame_sum(m->g, at, up);

    if (sum == GRAMMAR_INF)
        return;   /* a dead end: nothing finite finishes it */
    if (s->n >= MAX_ENTRIES || buf_grow_array(&s->e, &s->cap, (size_t)s->n + 1, sizeof *s->e)) {
        m->broken = 1;
        return;
    }
    s->e[s->n++] = (gframe){ at, sum, up, NULL };
}

/* Everything reachable from element at (continuing into up) without a byte: the
** byte elements it can start with go into s; reaching the end sets accepting. */
static void expand(grammar_matcher *m, arena *a, int32_t at, const gframe *up, gstate *s,
                   int steps)
{
    const grammar *g = m->g;
    const gelem *e = &g->elems[at];

    if (steps > MAX_EXPAND) {
        m->broken = 1;
        return;
    }
    if (e->kind == G_BYTES) {
        state_add(m, s, at, up);
    } else if (e->kind == G_END) {
        if (!up)
            s->accepting = 1;
        else
            expand(m, a, up->at, up->up, s, steps + 1);
    } else {
        const grule *r = &g->rules[e->rule];
        const gframe *next = up;
        /* a rule referenced last in its alternative continues where that one does */
        if (g->elems[at + 1].kind != G_END) {
            gframe *f = arena_alloc(a, sizeof *f);
            if (!f) {
                m->broken = 1;
                return;
            }
            *f = (gframe){ at + 1, frame_sum(g, at + 1, up), up, NULL };
            next = f;
        }
        for (int i = 0; i < r->n_alts; i++)
            expand(m, a, r->alts[i], next, s, steps + 1);
    }
}

static void advance(grammar_matcher *m, const gstate *from, uint8_t byte, gstate *to, arena *a)
{
    to->n = 0;
    to->accepting = 0;
    for (int i = 0; i < from->n; i++)
        if (gelem_has(&m->g->elems[from->e[i].at], byte))
            expand(m, a, from->e[i].at + 1, from->e[i].up, to, 0);
}

static uint32_t state_remaining(const gstate *s)
{
    uint32_t best = s->accepting ? 0 : GRAMMAR_INF;

    for (int i = 0; i < s->n && best; i++)
        if (s->e[i].sum < best)
            best = s->e[i].sum;
    return best;
}

static int state_alive(const gstate *s)
{
    return s->n > 0 || s->accepting;
}

/* ---- the matcher ---------------------------------------------------------------------- */

int grammar_matcher_new(grammar_matcher **out, const grammar *g, augur_err *err)
{
    grammar_matcher *m = calloc(1, sizeof *m);

    *out = NULL;
    if (!m || !(m->keep[0] = arena_new(0)) || !(m->keep[1] = arena_new(0)) ||
        !(m->scratch = arena_new(0))) {
        grammar_matcher_free(m);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    m->g = g;
    grammar_matcher_reset(m);
    if (m->broken) {
        grammar_matcher_free(m);
        return augur_err_set(err, AUGUR_ENOMEM, "grammar: out of memory, or a rule that refers "
                             "to itself before any text");
    }
    *out = m;
    return AUGUR_OK;
}

void grammar_matcher_free(grammar_matcher *m)
{
    if (!m)
        return;
    arena_free(m->keep[0]);
    arena_free(m->keep[1]);
    arena_free(m->scratch);
    free(m->state.e);
    free(m->walk[0].e);
    free(m->walk[1].e);
    for (int i = 0; i < m->n_depth; i++)
        free(m->depth[i].e);
    free(m->depth);
    free(m);
}

void grammar_matcher_reset(grammar_matcher *m)
{
    const grule *root = &m->g->rules[m->g->root];

    arena_reset(m->keep[0]);
    arena_reset(m->keep[1]);
    m->cur = 0;
    m->state.n = 0;
    m->state.accepting = 0;
    for (int i = 0; i < root->n_alts; i++)
        expand(m, m->keep[0], root->alts[i], NULL, &m->state, 0);
    m->remaining = state_remaining(&m->state);
}

/* Where text[n] leads from the current state: a state in m->walk, or NULL when it
** dies; frames made go into the scratch arena. */
static const gstate *walk_text(grammar_matcher *m, const char *text, size_t n)
{
    const gstate *from = &m->state;

    for (size_t i = 0; i < n; i++) {
        gstate *to = &m->walk[i & 1];
        advance(m, from, (uint8_t)text[i], to, m->scratch);
        if (!state_alive(to) || m->broken)
            return NULL;
        from = to;
    }
    return from;
}

int grammar_matcher_allows(grammar_matcher *m, const char *bytes, size_t n, size_t limit)
{
    const gstate *to = walk_text(m, bytes, n);
    int ok = to && state_remaining(to) <= limit;

    arena_reset(m->scratch);
    m->broken = 0;
    return ok;
}

/* A copy of the chain f in a. A frame copied before (by this chain or another)
** is not copied again: its copy is shared, as the frame was, so that a step costs
** the frames there are, not the stacks times their depth. The mark (moved) is read
** by nothing else: the arenas the marked frames live in are emptied once the copy
** is done, or the marks undone when it cannot be. */
static const gframe *frame_copy(const gframe *f, arena *a)
{
    const gframe *head = NULL;
    gframe *last = NULL, *c;

    for (; f && !f->moved; f = f->up) {
        if (!(c = arena_alloc(a, sizeof *c)))
            return NULL;
        *c = (gframe){ f->at, f->sum, NULL, NULL };
        ((gframe *)f)->moved = c;
        if (last)
            last->up = c;
        else
            head = c;
        last = c;
    }
    if (last)
        last->up = f ? f->moved : NULL;
    return head ? head : f ? f->moved : NULL;
}

/* Undo frame_copy's marks on the chain f, when a copy could not be finished. */
static void frame_unmark(const gframe *f)
{
    for (; f && f->moved; f = f->up)
        ((gframe *)f)->moved = NULL;
}

int grammar_matcher_accept(grammar_matcher *m, const char *bytes, size_t n)
{
    const gstate *to = walk_text(m, bytes, n);
    arena *next = m->keep[1 - m->cur];
    const gframe *ups[MAX_ENTRIES];
    gstate *s = &m->state;
    int copied = 0;

    if (!to) {
        arena_reset(m->scratch);
        m->broken = 0;
        return AUGUR_EINVAL;
    }
    if (!n)
        return AUGUR_OK;
    /* every stack into the next arena first, so that running out changes nothing */
    for (; copied < to->n; copied++)
        if ((ups[copied] = frame_copy(to->e[copied].up, next)) == NULL && to->e[copied].up)
            break;
    if (copied < to->n) {
        for (int i = 0; i <= copied; i++)
            frame_unmark(to->e[i].up);
        arena_reset(next);
        arena_reset(m->scratch);
        return AUGUR_ENOMEM;
    }
    s->n = 0;
    s->accepting = to->accepting;
    for (int i = 0; i < to->n; i++)
        state_add(m, s, to->e[i].at, ups[i]);
    arena_reset(m->keep[m->cur]);
    m->cur = 1 - m->cur;
    m->remaining = state_remaining(s);
    arena_reset(m->scratch);
    return AUGUR_OK;
}

int grammar_matcher_accepting(const grammar_matcher *m)
{
    return m->state.accepting;
}

int grammar_matcher_complete(const grammar_matcher *m)
{
    return m->state.accepting && m->state.n == 0;
}

size_t grammar_matcher_remaining(const grammar_matcher *m)
{
    return m->remaining;
}

/* ---- the vocabulary ------------------------------------------------------------------ */

typedef struct tnode {
    int32_t child, sibling;   /* -1: none */
    int32_t tokens;           /* the first token whose text ends here, or -1 */
    uint8_t byte;
} tnode;

struct grammar_vocab {
    tnode   *nodes;
    size_t   n_nodes, cap_nodes;
    int32_t *next_token;      /* per token: the next token ending at the same node */
    uint32_t *off, *len;      /* per token: its text in text[] */
    char    *text;
    size_t   n_vocab;
    size_t   max_len;
};

static int32_t node_new(grammar_vocab *v, uint8_t byte)
{
    if (buf_grow_array(&v->nodes, &v->cap_nodes, v->n_nodes + 1, sizeof *v->nodes) != AUGUR_OK)
        return -1;
    v->nodes[v->n_nodes] = (tnode){ -1, -1, -1, byte };
    return (int32_t)v->n_nodes++;
}

static int vocab_insert(grammar_vocab *v, int32_t id, const char *text, size_t n)
{
    int32_t at = 0;

    for (size_t i = 0; i < n; i++) {
        uint8_t b = (uint8_t)text[i];
        int32_t c = v->nodes[at].child;
        while (c >= 0 && v->nodes[c].byte != b)
            c = v->nodes[c].sibling;
        if (c < 0) {
            if ((c = node_new(v, b)) < 0)
                return AUGUR_ENOMEM;
            v->nodes[c].sibling = v->nodes[at].child;
            v->nodes[at].child = c;
        }
        at = c;
    }
    v->next_token[id] = v->nodes[at].tokens;
    v->nodes[at].tokens = id;
    return AUGUR_OK;
}

/* A token's bytes as they come out in the middle of a text (no space taken off as
** at the start, a byte token as its byte). */
static int token_bytes(const tokenizer *tok, int32_t id, buf *out)
{
    tokenizer_stream ts;
    enum token_type type = tokenizer_token_type(tok, id);

    buf_clear(out);
    if (type == TOKEN_CONTROL || type == TOKEN_UNKNOWN || type == TOKEN_UNUSED)
        return AUGUR_OK;
    tokenizer_stream_init(&ts, tok, 0);
    ts.at_start = 0;
    if (tokenizer_stream_push(&ts, id, out, NULL) != AUGUR_OK)
        buf_clear(out);
    else
        tokenizer_stream_finish(&ts, out);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int grammar_vocab_new(grammar_vocab **out, const tokenizer *tok, augur_err *err)
{
    size_t n = tokenizer_vocab_size(tok);
    grammar_vocab *v = calloc(1, sizeof *v);
    buf text = BUF_INIT, one = BUF_INIT;
    int rc = AUGUR_OK;

    *out = NULL;
    if (!v || !(v->next_token = malloc(n * sizeof *v->next_token)) ||
        !(v->off = calloc(n, sizeof *v->off)) || !(v->len = calloc(n, sizeof *v->len)) ||
        node_new(v, 0) < 0)
        rc = AUGUR_ENOMEM;
    for (size_t id = 0; rc == AUGUR_OK && id < n; id++) {
        v->next_token[id] = -1;
        if ((rc = token_bytes(tok, (int32_t)id, &one)) != AUGUR_OK || one.len == 0)
            continue;
        v->off[id] = (uint32_t)text.len;
        v->len[id] = (uint32_t)one.len;
        if (one.len > v->max_len)
            v->max_len = one.len;
        if (buf_add(&text, one.data, one.len) != AUGUR_OK)
            rc = AUGUR_ENOMEM;
        else
            rc = vocab_insert(v, (int32_t)id, one.data, one.len);
    }
    buf_free(&one);
    if (rc != AUGUR_OK) {
        buf_free(&text);
        grammar_vocab_free(v);
        return augur_err_set(err, rc, "grammar: out of memory for the vocabulary's trie");
    }
    v->n_vocab = n;
    v->text = text.data ? buf_take(&text) : NULL;
    *out = v;
    return AUGUR_OK;
}

void grammar_vocab_free(grammar_vocab *v)
{
    if (!v)
        return;
    free(v->nodes);
    free(v->next_token);
    free(v->off);
    free(v->len);
    free(v->text);
    free(v);
}

size_t grammar_vocab_size(const grammar_vocab *v)
{
    return v->n_vocab;
}

const char *grammar_vocab_text(const grammar_vocab *v, int32_t id, size_t *len)
{
    if (id < 0 || (size_t)id >= v->n_vocab || !v->len[id]) {
        *len = 0;
        return NULL;
    }
    *len = v->len[id];
    return v->text + v->off[id];
}

/* ---- masks -------------------------------------------------------------------------- */

typedef struct mask_walk {
    grammar_matcher     *m;
    const grammar_vocab *v;
    uint8_t             *allowed;
    size_t               limit;   /* the most bytes a token may leave to the end */
    size_t               count;
} mask_walk;

static void mask_node(mask_walk *w, int32_t node, const gstate *from, int depth)
{
    grammar_matcher *m = w->m;
    gstate *to = &m->depth[depth];

    for (int32_t c = w->v->nodes[node].child; c >= 0; c = w->v->nodes[c].sibling) {
        const tnode *t = &w->v->nodes[c];
        advance(m, from, t->byte, to, m->scratch);
        if (!state_alive(to))
            continue;
        if (state_remaining(to) <= w->limit)
            for (int32_t id = t->tokens; id >= 0; id = w->v->next_token[id]) {
                w->allowed[id] = 1;
                w->count++;
            }
        if (t->child >= 0)
            mask_node(w, c, to, depth + 1);
    }
}

size_t grammar_mask(grammar_matcher *m, const grammar_vocab *v, size_t limit, uint8_t *allowed)
{
    mask_walk w = { m, v, allowed, limit, 0 };

    memset(allowed, 0, v->n_vocab);
    if (m->n_depth < (int)v->max_len) {
        gstate *grown = realloc(m->depth, v->max_len * sizeof *grown);
        if (!grown)
            return 0;
        for (int i = m->n_depth; i < (int)v->max_len; i++)
            grown[i] = (gstate){ NULL, 0, 0, 0 };
        m->depth = grown;
        m->n_depth = (int)v->max_len;
    }
    mask_node(&w, 0, &m->state, 0);
    arena_reset(m->scratch);
    m->broken = 0;
    return w.count;
}

int grammar_allows_token(grammar_matcher *m, const grammar_vocab *v, int32_t id, size_t limit)
{
    size_t n;
    const char *text = grammar_vocab_text(v, id, &n);

    return text && grammar_matcher_allows(m, text, n, limit);
}
