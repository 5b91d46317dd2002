/*
** memory.h — ToolChain*'s long-term memory: successful plans kept in SQLite, and
** the best longest-common-subsequence match of a partial plan against the plans
** remembered for similar goals.
**
**     plan_memory *m;
**     plan_memory_open("plans.sqlite", "crafter", &m, &err);   // ":memory:" works too
**     plan_memory_recall(m, "make_iron_pickaxe", &err);         // plans for similar goals
**     double match = plan_memory_match(m, partial, n);          // in [0, 1]
**     plan_memory_store(m, "make_iron_pickaxe", plan, len, cost, &err);
**     plan_memory_flush(m, &err);                               // outside the frame
**     plan_memory_close(m);
**
** A plan is a sequence of action numbers of one world (macro or primitive, as the
** planner that stored it numbers them). store only queues the plan (and makes it
** recallable at once); flush writes the queue in one transaction, so a game calls
** it where a database write does not cost it a frame. Goals are similar when they
** are equal or their names are a few edits apart.
*/
#ifndef AUGUR_PLAN_MEMORY_H
#define AUGUR_PLAN_MEMORY_H

#include "base/err.h"

typedef struct plan_memory plan_memory;

enum { PLAN_MEMORY_RECALL = 16, PLAN_MEMORY_LEN = 64 };

/* Open (creating) the database at path for the plans of one world. */
int  plan_memory_open(const char *path, const char *world, plan_memory **out, augur_err *err);
void plan_memory_close(plan_memory *m);

/* Load at most PLAN_MEMORY_RECALL plans for goals similar to goal (the same goal
** first, then the most used), replacing those recalled before. */
int  plan_memory_recall(plan_memory *m, const char *goal, augur_err *err);
int  plan_memory_recalled(const plan_memory *m);

/* max over recalled plans q of LCS(plan, q) / n; 0 when nothing is recalled or
** n is 0. */
double plan_memory_match(const plan_memory *m, const int *plan, int n);

/* The actions recalled plans take after their best match of plan[0..n): each one
** once, into out (at most max); returns how many. A memory proposer. */
int plan_memory_next(const plan_memory *m, const int *plan, int n, int *out, int max);

/* Queue a successful plan (at most PLAN_MEMORY_LEN actions are kept). */
int  plan_memory_store(plan_memory *m, const char *goal, const int *plan, int n, double cost,
                       augur_err *err);
/* Write what store queued; the number of plans in the database afterwards in *count
** (may be NULL). */
int  plan_memory_flush(plan_memory *m, long *count, augur_err *err);

/* The length of the longest common subsequence of a[0..n) and b[0..m). */
int plan_lcs(const int *a, int n, const int *b, int m);

#endif
