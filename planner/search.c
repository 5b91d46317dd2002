/*
** search.c — ToolChain* A*: nodes in one growable block addressed by index (so
** growing it moves nothing a caller holds), a binary heap of (f, node) with stale
** entries skipped, and an open-addressing table that finds a state seen before.
*/
#include "planner/search.h"

#include "base/buf.h"
#include "base/time.h"
#include "worlds/state.h"

#include <stdlib.h>
#include <string.h>

enum { SEARCH_DEPTH_DEFAULT = 256, SEARCH_STATE_MAX = 4096 };

typedef struct node {
    uint32_t parent;            /* UINT32_MAX for the root */
    int32_t  action;
    double   g, h, acost;
    uint32_t depth;
    uint8_t  closed, onplan;
} node;

typedef struct heap_item {
    double   f, h;
    uint32_t n;
} heap_item;

struct search {
    search_problem prob;        /* the last run's, by value */
    const search_problem *p;    /* &prob while a problem is set */
    search_opts o;
    unsigned char *nodes;       /* stride bytes each: a node, then its state */
    size_t   stride, nnodes, capnodes;
    heap_item *heap;
    size_t   nheap, capheap;
    uint32_t *table;            /* node index + 1; 0 empty */
    size_t   captable;
    int     *plan, *path;       /* the answer; scratch for the memory term */
    int      capplan;
    unsigned char *scratch;     /* a child being made */
    long     expanded, generated, model_calls;
};

search_opts search_opts_default(void)
{
    search_opts o = { 1, 0, 0, 1, 0, 0, 0, 0 };
    return o;
}

int search_new(search **out, augur_err *err)
{
    search *s = calloc(1, sizeof *s);

    *out = NULL;
    if (!s)
        return augur_err_set(err, AUGUR_ENOMEM, "search: out of memory");
    *out = s;
    return AUGUR_OK;
}

static node *search_node(const search *s, size_t i)
{
    return (node *)(s->nodes + i * s->stride);
}

static void *search_state(const search *s, size_t i)
{
    return s->nodes + i * s->stride + sizeof(node);
}

void search_clear(search *s)
{
    if (s->p && s->p->release)
        for (size_t i = 0; i < s->nnodes; i++)
            s->p->release(s->p->ud, search_state(s, i));
    s->nnodes = 0;
    s->nheap = 0;
    if (s->table)
        memset(s->table, 0, s->captable * sizeof *s->table);
}

void search_free(search *s)
{
    if (!s)
        return;
    search_clear(s);
    free(s->nodes);
    free(s->heap);
    free(s->table);
    free(s->plan);
    free(s->path);
    free(s->scratch);
    free(s);
}

/* ---- states: hashing, comparing, the table ------------------------------------- */

static uint64_t search_hash(const search *s, const void *st)
{
    return s->p->hash ? s->p->hash(s->p->ud, st) : state_hash_bytes(st, s->p->size, 0x5ea7c4);
}

static int search_equal(const search *s, const void *a, const void *b)
{
    return s->p->equal ? s->p->equal(s->p->ud, a, b) : memcmp(a, b, s->p->size) == 0;
}

static int search_table_grow(search *s)
{
    size_t cap = s->captable ? 2 * s->captable : 1024;
    uint32_t *t = calloc(cap, sizeof *t);

    if (!t)
        return AUGUR_ENOMEM;
    for (size_t i = 0; i < s->captable; i++) {
        uint32_t n = s->table[i];
        size_t j;
        if (!n)
            continue;
        j = search_hash(s, search_state(s, n - 1)) & (cap - 1);
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = n;
    }
    free(s->table);
    s->table = t;
    s->captable = cap;
    return AUGUR_OK;
}

/* The slot holding a state equal to st, or the empty slot where it goes. */
static size_t search_table_slot(const search *s, const void *st, uint64_t h)
{
    size_t j = h & (s->captable - 1);

    while (s->table[j] && !search_equal(s, search_state(s, s->table[j] - 1), st))
        j = (j + 1) & (s->captable - 1);
    return j;
}

/* ---- memory for nodes, the heap and plans ----------------------------------------- */

static int search_reserve_node(search *s)
{
    if (s->nnodes >= UINT32_MAX - 1)
        return AUGUR_ELIMIT;
    return buf_grow_array(&s->nodes, &s->capnodes, s->nnodes + 1, s->stride);
}

static int search_push(search *s, double f, double h, uint32_t n)
{
    size_t i;

    if (buf_grow_array(&s->heap, &s->capheap, s->nheap + 1, sizeof *s->heap) != AUGUR_OK)
        return AUGUR_ENOMEM;
    i = s->nheap++;
    /* Ties go to the lower h: the node nearer the goal. */
    while (i > 0) {
        heap_item *up = &s->heap[(i - 1) / 2];
        if (up->f < f || (up->f == f && up->h <= h))
            break;
        s->heap[i] = *up;
        i = (i - 1) / 2;
    }
    s->heap[i] = (heap_item){ f, h, n };
    return AUGUR_OK;
}

static heap_item search_pop(search *s)
{
    heap_item top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0;

    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->nheap)
            break;
        if (c + 1 < s->nheap && (s->heap[c + 1].f < s->heap[c].f ||
                                 (s->heap[c + 1].f == s->heap[c].f &&
                                  s->heap[c + 1].h < s->heap[c].h)))
            c++;
        if (last.f < s->heap[c].f || (last.f == s->heap[c].f && last.h <= s->heap[c].h))
            break;
        s->heap[i] = s->heap[c];
        i = c;
    }
    if (s->nheap)
        s->heap[i] = last;
    return top;
}

static int search_prepare(search *s, const search_problem *p, const search_opts *o, augur_err *err)
{
    size_t stride = sizeof(node) + ((p->size + 7) & ~(size_t)7);
    int depth = o->max_depth > 0 ? o->max_depth : SEARCH_DEPTH_DEFAULT;

    if (p->size < 1 || p->size > SEARCH_STATE_MAX || !p->step || p->nproposers < 1 ||
        !p->proposers)
        return augur_err_set(err, AUGUR_EINVAL, "search: a problem needs a state size of 1 to "
                             "%d bytes, a step function and a proposer", SEARCH_STATE_MAX);
    search_clear(s);
    if (stride != s->stride) {
        free(s->nodes);
        s->nodes = NULL;
        s->capnodes = 0;
        s->stride = stride;
        free(s->scratch);
        if (!(s->scratch = malloc(stride)))
            return augur_err_set(err, AUGUR_ENOMEM, "search: out of memory");
    }
    if (depth + 1 > s->capplan) {
        free(s->plan);
        free(s->path);
        s->plan = malloc((size_t)(depth + 1) * sizeof *s->plan);
        s->path = malloc((size_t)(depth + 1) * sizeof *s->path);
        s->capplan = s->plan && s->path ? depth + 1 : 0;
        if (!s->capplan)
            return augur_err_set(err, AUGUR_ENOMEM, "search: out of memory");
    }
    if (!s->table && search_table_grow(s) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "search: out of memory");
    s->prob = *p;
    s->p = &s->prob;
    s->o = *o;
    s->o.max_depth = depth;
    s->expanded = s->generated = s->model_calls = 0;
    return AUGUR_OK;
}

/* ---- growing the tree ------------------------------------------------------------ */

/* The actions from the root to node n into s->path, with one more at the end. */
static int search_path(search *s, uint32_t n, int extra)
{
    int len = (int)search_node(s, n)->depth;

    s->path[len] = extra;
    for (int i = len - 1; i >= 0; i--) {
        s->path[i] = search_node(s, n)->action;
        n = search_node(s, n)->parent;
    }
    return len + 1;
}

/* Add the child in s->scratch (reached by action from parent at step cost c):
** a new node, a cheaper way to a known one, or nothing (its state released). */
static int search_add(search *s, uint32_t parent, int action, double c, double acost)
{
    const search_problem *p = s->p;
    void *st = s->scratch + sizeof(node);
    const node *pn = search_node(s, parent);
    double g = pn->g + c, h;
    uint32_t depth = pn->depth + 1;
    double pacost = pn->acost + acost;
    uint64_t hv;
    size_t slot;
    node *n;
    int rc;

    if (2 * (s->nnodes + 1) > s->captable && search_table_grow(s) != AUGUR_OK)
        return AUGUR_ENOMEM;
    hv = search_hash(s, st);
    slot = search_table_slot(s, st, hv);
    if (s->table[slot]) {
        uint32_t i = s->table[slot] - 1;
        if (p->release)
            p->release(p->ud, st);
        n = search_node(s, i);
        if (g >= n->g - 1e-12)
            return AUGUR_OK;
        n->parent = parent;
        n->action = action;
        n->g = g;
        n->acost = pacost;
        n->depth = depth;
        n->closed = 0;
        return search_push(s, g + s->o.w_h * n->h, n->h, i);
    }
    if ((rc = search_reserve_node(s)) != AUGUR_OK) {
        if (p->release)
            p->release(p->ud, st);
        return rc;
    }
    h = p->heuristic ? p->heuristic(p->ud, st) : 0;
    n = search_node(s, s->nnodes);
    *n = (node){ parent, action, g, h, pacost, depth, 0, 0 };
    memcpy(search_state(s, s->nnodes), st, p->size);
    s->table[slot] = (uint32_t)s->nnodes + 1;
    s->nnodes++;
    s->generated++;
    return search_push(s, g + s->o.w_h * h, h, (uint32_t)s->nnodes - 1);
}

typedef struct search_votes {
    int    n;
    int    action[SEARCH_PROPOSALS_MAX];
    double votes[SEARCH_PROPOSALS_MAX];
} search_votes;

/* Every proposer's proposals at node i, summed per action. */
static int search_propose(search *s, uint32_t i, search_votes *v)
{
    search_proposal props[SEARCH_PROPOSALS_MAX];

    v->n = 0;
    for (int k = 0; k < s->p->nproposers; k++) {
        const search_proposer *pr = &s->p->proposers[k];
        int n;
        if (pr->model) {
            if (s->o.max_model_calls > 0 && s->model_calls >= s->o.max_model_calls)
                continue;
            s->model_calls++;
        }
        if ((n = pr->propose(pr->ud, search_state(s, i), props, SEARCH_PROPOSALS_MAX)) < 0)
            return n;
        for (int j = 0; j < n && j < SEARCH_PROPOSALS_MAX; j++) {
            int a = 0;
            while (a < v->n && v->action[a] != props[j].action)
                a++;
            if (a == v->n) {
                if (v->n == SEARCH_PROPOSALS_MAX)
                    continue;
                v->action[v->n] = props[j].action;
                v->votes[v->n++] = 0;
            }
            v->votes[a] += props[j].score > 0 ? props[j].score : 0;
        }
    }
    return AUGUR_OK;
}

static int search_expand(search *s, uint32_t i)
{
    const search_problem *p = s->p;
    search_votes v;
    double top = 0;
    int rc;

    search_node(s, i)->closed = 1;
    s->expanded++;
    if ((int)search_node(s, i)->depth >= s->o.max_depth)
        return AUGUR_OK;
    if ((rc = search_propose(s, i, &v)) != AUGUR_OK)
        return rc;
    for (int a = 0; a < v.n; a++)
        top = v.votes[a] > top ? v.votes[a] : top;
    for (int a = 0; a < v.n; a++) {
        double cost = 0, c;
        int applied = p->step(p->ud, search_state(s, i), v.action[a], s->scratch + sizeof(node),
                              &cost);
        if (applied < 0)
            return applied;
        if (!applied)
            continue;
        c = s->o.w_cost * (cost > 0 ? cost : 0);
        if (s->o.w_consistency != 0 && top > 0)
            c += s->o.w_consistency * (1 - v.votes[a] / top);
        if (s->o.w_memory != 0 && p->memory) {
            int len = search_path(s, i, v.action[a]);
            c += s->o.w_memory * (1 - p->memory(p->ud, s->path, len));
        }
        if ((rc = search_add(s, i, v.action[a], c, cost > 0 ? cost : 0)) != AUGUR_OK)
            return rc;
    }
    return AUGUR_OK;
}

/* Whether node a is a better anytime answer than node b. */
static int search_better(const search *s, uint32_t a, uint32_t b)
{
    const node *x = search_node(s, a), *y = search_node(s, b);

    if (s->p->score) {
        double sa = s->p->score(s->p->ud, search_state(s, a));
        double sb = s->p->score(s->p->ud, search_state(s, b));
        if (sa != sb)
            return sa > sb;
    } else if (x->h != y->h) {
        return x->h < y->h;
    }
    /* As near the goal by h: the one further along. */
    return x->g > y->g;
}

static void search_answer(search *s, uint32_t n, enum search_status status, const char *stop,
                          uint64_t t0, search_result *r)
{
    const node *nd = search_node(s, n);
    int len = (int)nd->depth;

    for (int i = len - 1; i >= 0; i--) {
        search_node(s, n)->onplan = 1;
        s->plan[i] = search_node(s, n)->action;
        n = search_node(s, n)->parent;
    }
    search_node(s, 0)->onplan = 1;
    r->status = status;
    r->plan = s->plan;
    r->len = len;
    r->cost = nd->g;
    r->action_cost = nd->acost;
    r->last = (const unsigned char *)nd + sizeof(node);
    r->expanded = s->expanded;
    r->generated = s->generated;
    r->model_calls = s->model_calls;
    r->elapsed_us = (long)((time_mono_ns() - t0) / 1000);
    r->stop = stop;
}

/* Which budget is spent, or NULL. */
static const char *search_spent(const search *s, uint64_t t0)
{
    if (s->o.max_nodes > 0 && s->expanded >= s->o.max_nodes)
        return "nodes";
    if (s->o.max_us > 0 && (long)((time_mono_ns() - t0) / 1000) >= s->o.max_us)
        return "time";
    return NULL;
}

int search_run(search *s, const search_problem *p, const void *start, const search_opts *o,
               search_result *r, augur_err *err)
{
    uint64_t t0 = time_mono_ns();
    uint32_t best = 0;
    const char *stop = NULL;
    int rc;

    memset(r, 0, sizeof *r);
    if ((rc = search_prepare(s, p, o ? o : &(search_opts){ 1, 0, 0, 1, 0, 0, 0, 0 }, err)))
        return rc;
    memcpy(s->scratch + sizeof(node), start, p->size);
    if ((rc = search_reserve_node(s)) != AUGUR_OK)
        return augur_err_set(err, rc, "search: out of memory");
    *search_node(s, 0) = (node){ UINT32_MAX, -1, 0, p->heuristic ? p->heuristic(p->ud, start) : 0,
                                 0, 0, 0, 0 };
    memcpy(search_state(s, 0), start, p->size);
    s->nnodes = 1;
    s->generated = 1;
    s->table[search_table_slot(s, start, search_hash(s, start))] = 1;
    if ((rc = search_push(s, s->o.w_h * search_node(s, 0)->h, search_node(s, 0)->h, 0)))
        return augur_err_set(err, rc, "search: out of memory");
    while (s->nheap) {
        heap_item it = search_pop(s);
        node *n = search_node(s, it.n);
        if (n->closed || it.f > n->g + s->o.w_h * n->h + 1e-9)
            continue;
        if (search_better(s, it.n, best))
            best = it.n;
        if (p->goal && p->goal(p->ud, search_state(s, it.n))) {
            search_answer(s, it.n, SEARCH_FOUND, NULL, t0, r);
            return AUGUR_OK;
        }
        if ((stop = search_spent(s, t0)))
            break;
        if ((rc = search_expand(s, it.n)) != AUGUR_OK)
            return augur_err_set(err, rc, "search: %s", rc == AUGUR_ENOMEM ? "out of memory"
                                 : "a callback failed");
    }
    if (!stop && s->o.max_model_calls > 0 && s->model_calls >= s->o.max_model_calls)
        stop = "model calls";
    search_answer(s, best, stop ? SEARCH_PARTIAL : SEARCH_EXHAUSTED, stop, t0, r);
    return AUGUR_OK;
}

/* ---- Graphviz -------------------------------------------------------------------- */

static void search_dot_label(const search *s, int action, buf *out)
{
    const char *name = s->p->action_name ? s->p->action_name(s->p->ud, action) : NULL;

    if (action < 0)
        buf_puts(out, "start");
    else if (name)
        for (const char *c = name; *c; c++)
            buf_printf(out, *c == '"' || *c == '\\' ? "\\%c" : "%c", *c);
    else
        buf_printf(out, "%d", action);
}

int search_dot(const search *s, size_t max_nodes, buf *out)
{
    size_t n = s->nnodes < max_nodes ? s->nnodes : max_nodes;

    buf_puts(out, "digraph search {\n  node [shape=box, fontname=\"monospace\"];\n");
    for (size_t i = 0; i < n; i++) {
        const node *nd = search_node(s, i);
        buf_printf(out, "  n%zu [label=\"", i);
        search_dot_label(s, nd->action, out);
        buf_printf(out, "\\nf=%.3f g=%.3f h=%.3f\"%s];\n", nd->g + s->o.w_h * nd->h, nd->g, nd->h,
                   nd->onplan ? ", style=filled, fillcolor=\"#c8e6c9\"" : nd->closed ? ""
                   : ", style=dashed");
        if (nd->parent != UINT32_MAX)
            buf_printf(out, "  n%u -> n%zu;\n", nd->parent, i);
    }
    return buf_puts(out, "}\n");
}
