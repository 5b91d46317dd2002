/*
** grammar_impl.h — the grammar's insides, shared by grammar.c (building it from a
** schema) and match.c (matching bytes and tokens). Private to model/.
**
** Every alternative of every rule is a run of elements in one array, ended by an
** END element; a rule is the list of where its alternatives begin. rest[i] is the
** fewest bytes that finish the alternative from element i.
*/
#ifndef AUGUR_GRAMMAR_IMPL_H
#define AUGUR_GRAMMAR_IMPL_H

#include <stdint.h>

#include "model/grammar.h"

enum gelem_kind { G_END, G_BYTES, G_RULE };

typedef struct gelem {
    uint8_t  kind;
    int32_t  rule;       /* G_RULE */
    uint32_t set[8];     /* G_BYTES: bit b of set[b >> 5] */
} gelem;

typedef struct grule {
    int32_t *alts;       /* where each alternative begins in elems */
    int      n_alts;
} grule;

struct grammar {
    gelem    *elems;
    size_t    n_elems, cap_elems;
    grule    *rules;
    size_t    n_rules, cap_rules;
    uint32_t *rest;      /* per element */
    int32_t   root;
};

#define GRAMMAR_INF UINT32_MAX

static inline int gelem_has(const gelem *e, uint8_t b)
{
    return (e->set[b >> 5] >> (b & 31)) & 1;
}

#endif
