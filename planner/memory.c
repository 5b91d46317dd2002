/*
** memory.c — plans in SQLite: one table, plans(world, goal, actions, cost, uses),
** the actions written as numbers separated by spaces. A plan stored again counts
** one more use instead of a second row.
*/
#include "planner/memory.h"

#include "base/buf.h"
#include "base/text.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct memory_plan {
    int    n;
    int    actions[PLAN_MEMORY_LEN];
    double cost;
    long   uses;
    char   goal[64];
} memory_plan;

/* A growable list of plans. */
typedef struct memory_list {
    memory_plan *items;
    size_t       n, cap;
} memory_list;

struct plan_memory {
    sqlite3    *db;
    char        world[64];
    memory_plan recalled[PLAN_MEMORY_RECALL];
    int         nrecalled;
    char        goal[64];           /* what was recalled for */
    memory_list all;                /* every plan of the world, read at open: recall never
                                       touches the database */
    memory_list queue;              /* stored, not yet written */
};

enum { MEMORY_LOADED_MAX = 4096 };

static memory_plan *memory_list_add(memory_list *l)
{
    if (buf_grow_array(&l->items, &l->cap, l->n + 1, sizeof *l->items) != AUGUR_OK)
        return NULL;
    return &l->items[l->n++];
}

static const char memory_schema[] =
    "CREATE TABLE IF NOT EXISTS plans ("
    " id INTEGER PRIMARY KEY, world TEXT NOT NULL, goal TEXT NOT NULL,"
    " actions TEXT NOT NULL, cost REAL NOT NULL, uses INTEGER NOT NULL DEFAULT 1,"
    " UNIQUE (world, goal, actions));";

static int memory_db_error(plan_memory *m, const char *what, augur_err *err)
{
    return augur_err_set(err, AUGUR_EIO, "plan memory: %s: %s", what, sqlite3_errmsg(m->db));
}

static int memory_plan_parse(const char *text, memory_plan *p);

/* Every plan of the world, most used first. */
static int memory_load(plan_memory *m, augur_err *err)
{
    static const char sql[] = "SELECT goal, actions, cost, uses FROM plans WHERE world = ?1 "
                              "ORDER BY uses DESC, id DESC LIMIT ?2";
    sqlite3_stmt *st;

    if (sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) != SQLITE_OK)
        return memory_db_error(m, "reading plans", err);
    sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, MEMORY_LOADED_MAX);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *g = (const char *)sqlite3_column_text(st, 0);
        const char *a = (const char *)sqlite3_column_text(st, 1);
        memory_plan p, *q;
        if (!g || !a || strlen(g) >= sizeof p.goal || !memory_plan_parse(a, &p) || p.n == 0)
            continue;
        p.cost = sqlite3_column_double(st, 2);
        p.uses = sqlite3_column_int64(st, 3);
        snprintf(p.goal, sizeof p.goal, "%s", g);
        if (!(q = memory_list_add(&m->all))) {
            sqlite3_finalize(st);
            return augur_err_set(err, AUGUR_ENOMEM, "plan memory: out of memory");
        }
        *q = p;
    }
    sqlite3_finalize(st);
    return AUGUR_OK;
}

int plan_memory_open(const char *path, const char *world, plan_memory **out, augur_err *err)
{
    plan_memory *m;
    int rc;

    *out = NULL;
    if (!path || !world || strlen(world) >= sizeof m->world)
        return augur_err_set(err, AUGUR_EINVAL, "plan memory: needs a path and a world name");
    if (!(m = calloc(1, sizeof *m)))
        return augur_err_set(err, AUGUR_ENOMEM, "plan memory: out of memory");
    snprintf(m->world, sizeof m->world, "%s", world);
    if (sqlite3_open_v2(path, &m->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
            SQLITE_OK ||
        sqlite3_busy_timeout(m->db, 2000) != SQLITE_OK ||
        sqlite3_exec(m->db, memory_schema, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = augur_err_set(err, AUGUR_EIO, "plan memory: %s: %s", path,
                               m->db ? sqlite3_errmsg(m->db) : "cannot open");
        plan_memory_close(m);
        return rc;
    }
    if ((rc = memory_load(m, err)) != AUGUR_OK) {
        plan_memory_close(m);
        return rc;
    }
    *out = m;
    return AUGUR_OK;
}

void plan_memory_close(plan_memory *m)
{
    if (!m)
        return;
    sqlite3_close(m->db);
    free(m->all.items);
    free(m->queue.items);
    free(m);
}

int plan_memory_recalled(const plan_memory *m)
{
    return m->nrecalled;
}

/* ---- plans as text --------------------------------------------------------------- */

static void memory_plan_text(const memory_plan *p, char *out, size_t cap)
{
    size_t n = 0;

    out[0] = 0;
    for (int i = 0; i < p->n && n < cap; i++)
        n += (size_t)snprintf(out + n, cap - n, i ? " %d" : "%d", p->actions[i]);
}

/* Parse "3 5 7"; 0 when the text is not such a list. */
static int memory_plan_parse(const char *text, memory_plan *p)
{
    char *end;

    p->n = 0;
    while (*text && p->n < PLAN_MEMORY_LEN) {
        long v = strtol(text, &end, 10);
        if (end == text || v < -1000000 || v > 1000000)
            return 0;
        p->actions[p->n++] = (int)v;
        text = end + (*end == ' ');
    }
    return 1;
}

/* Goals are similar when equal or a few edits apart. */
static int memory_similar(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b), limit = (la > lb ? la : lb) / 4;

    return text_distance(a, b, limit) <= limit;
}

static void memory_recall_add(plan_memory *m, const memory_plan *p)
{
    for (int i = 0; i < m->nrecalled; i++)
        if (m->recalled[i].n == p->n &&
            memcmp(m->recalled[i].actions, p->actions, (size_t)p->n * sizeof *p->actions) == 0)
            return;
    if (m->nrecalled < PLAN_MEMORY_RECALL)
        m->recalled[m->nrecalled++] = *p;
}

int plan_memory_recall(plan_memory *m, const char *goal, augur_err *err)
{
    (void)err;
    m->nrecalled = 0;
    snprintf(m->goal, sizeof m->goal, "%s", goal);
    /* The same goal first (the list is most used first), then similar ones. */
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < m->all.n && m->nrecalled < PLAN_MEMORY_RECALL; i++) {
            const memory_plan *p = &m->all.items[i];
            if (pass == 0 ? strcmp(p->goal, goal) == 0
                          : strcmp(p->goal, goal) != 0 && memory_similar(p->goal, goal))
                memory_recall_add(m, p);
        }
    return AUGUR_OK;
}

/* ---- matching ------------------------------------------------------------------- */

int plan_lcs(const int *a, int n, const int *b, int m)
{
    int row[PLAN_MEMORY_LEN + 1];

    if (m > PLAN_MEMORY_LEN)
        m = PLAN_MEMORY_LEN;
    memset(row, 0, sizeof row);
    for (int i = 0; i < n; i++) {
        int diag = 0;
        for (int j = 1; j <= m; j++) {
            int up = row[j];
            row[j] = a[i] == b[j - 1] ? diag + 1 : up > row[j - 1] ? up : row[j - 1];
            diag = up;
        }
    }
    return row[m];
}

double plan_memory_match(const plan_memory *m, const int *plan, int n)
{
    int best = 0;

    if (n <= 0)
        return 0;
    for (int i = 0; i < m->nrecalled; i++) {
        int l = plan_lcs(plan, n, m->recalled[i].actions, m->recalled[i].n);
        best = l > best ? l : best;
    }
    return (double)best / n;
}

/* How far into q a greedy in-order match of plan[0..n) gets. */
static int memory_progress(const int *plan, int n, const memory_plan *q)
{
    int j = 0;

    for (int i = 0; i < n && j < q->n; i++)
        if (plan[i] == q->actions[j])
            j++;
    return j;
}

int plan_memory_next(const plan_memory *m, const int *plan, int n, int *out, int max)
{
    int k = 0;

    for (int i = 0; i < m->nrecalled && k < max; i++) {
        const memory_plan *q = &m->recalled[i];
        int j = memory_progress(plan, n, q), seen = 0;
        if (j >= q->n)
            continue;
        for (int t = 0; t < k; t++)
            seen |= out[t] == q->actions[j];
        if (!seen)
            out[k++] = q->actions[j];
    }
    return k;
}

/* ---- storing --------------------------------------------------------------------- */

int plan_memory_store(plan_memory *m, const char *goal, const int *plan, int n, double cost,
                      augur_err *err)
{
    memory_plan p, *q, *known = NULL;

    if (!goal || !*goal || strlen(goal) >= sizeof p.goal || n < 1)
        return augur_err_set(err, AUGUR_EINVAL, "plan memory: a plan needs a goal name of at "
                             "most 63 bytes and an action");
    memset(&p, 0, sizeof p);
    p.n = n < PLAN_MEMORY_LEN ? n : PLAN_MEMORY_LEN;
    memcpy(p.actions, plan, (size_t)p.n * sizeof *plan);
    p.cost = cost;
    p.uses = 1;
    snprintf(p.goal, sizeof p.goal, "%s", goal);
    for (size_t i = 0; i < m->all.n && !known; i++)
        if (m->all.items[i].n == p.n && strcmp(m->all.items[i].goal, goal) == 0 &&
            memcmp(m->all.items[i].actions, p.actions, (size_t)p.n * sizeof *p.actions) == 0)
            known = &m->all.items[i];
    if (known)
        known->uses++;
    else if (m->all.n < MEMORY_LOADED_MAX && (q = memory_list_add(&m->all)))
        *q = p;
    if (!(q = memory_list_add(&m->queue)))
        return augur_err_set(err, AUGUR_ENOMEM, "plan memory: out of memory");
    *q = p;
    if (strcmp(goal, m->goal) == 0)
        memory_recall_add(m, &p);
    return AUGUR_OK;
}

int plan_memory_flush(plan_memory *m, long *count, augur_err *err)
{
    static const char sql[] = "INSERT INTO plans (world, goal, actions, cost) "
                              "VALUES (?1, ?2, ?3, ?4) "
                              "ON CONFLICT (world, goal, actions) DO UPDATE SET uses = uses + 1, "
                              "cost = min(cost, excluded.cost)";
    char text[PLAN_MEMORY_LEN * 12];
    sqlite3_stmt *st = NULL;
    int ok = sqlite3_exec(m->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK &&
             sqlite3_prepare_v2(m->db, sql, -1, &st, NULL) == SQLITE_OK;

    if (m->queue.n == 0 && !count) {
        sqlite3_finalize(st);
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
        return AUGUR_OK;
    }
    for (size_t i = 0; ok && i < m->queue.n; i++) {
        memory_plan_text(&m->queue.items[i], text, sizeof text);
        sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, m->queue.items[i].goal, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
        sqlite3_bind_double(st, 4, m->queue.items[i].cost);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    if (!ok || sqlite3_exec(m->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        int rc = memory_db_error(m, "storing plans", err);
        sqlite3_exec(m->db, "ROLLBACK", NULL, NULL, NULL);
        return rc;
    }
    m->queue.n = 0;
    if (count) {
        *count = 0;
        if (sqlite3_prepare_v2(m->db, "SELECT count(*) FROM plans WHERE world = ?1", -1, &st,
                               NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, m->world, -1, SQLITE_STATIC);
            if (sqlite3_step(st) == SQLITE_ROW)
                *count = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    return AUGUR_OK;
}
