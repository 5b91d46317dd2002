/*
** grid.h — navigation on a grid of cells by ToolChain* A* (planner/search.h): four
** moves, each costing what the cell entered costs, to any of a set of goal
** cells, with the Manhattan distance to the nearest target as h.
**
**     grid_map m = { 64, 64, costs };            // 0: blocked; else the cost to enter
**     grid_goal g = { mask, ntargets, tx, ty };  // mask[y * w + x] != 0: a goal cell
**     int n = grid_path(srch, &m, x, y, &g, &opts, dirs, 256, &res, &err);
**
** h is admissible when every target is listed (and every cost is at least 1);
** with more goal cells than GRID_TARGETS, or none listed, h is 0.
*/
#ifndef AUGUR_GRID_H
#define AUGUR_GRID_H

#include <stdint.h>

#include "planner/search.h"

enum { GRID_TARGETS = 16 };

enum grid_dir { GRID_LEFT, GRID_RIGHT, GRID_UP, GRID_DOWN };

extern const int grid_dx[4], grid_dy[4];

typedef struct grid_map {
    int w, h;
    const uint8_t *cost;        /* w * h, row by row */
} grid_map;

typedef struct grid_goal {
    const uint8_t *mask;        /* w * h; nonzero: a goal cell */
    int        ntargets;        /* goal cells listed for h (0..GRID_TARGETS) */
    const int *tx, *ty;
} grid_goal;

/* The moves (enum grid_dir) from (x, y) to the cheapest goal cell into dirs (at
** most max); returns how many, with *res filled (res->status SEARCH_FOUND when a
** goal was reached; otherwise the moves lead to the cell nearest a target).
** AUGUR_EINVAL for a start outside the grid. */
int grid_path(search *s, const grid_map *m, int x, int y, const grid_goal *g,
              const search_opts *o, int *dirs, int max, search_result *res, augur_err *err);

#endif
