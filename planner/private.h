/*
** private.h — what planner/ shares inside itself: the operations behind a
** planner_agent.
*/
#ifndef AUGUR_PLANNER_PRIVATE_H
#define AUGUR_PLANNER_PRIVATE_H

#include "planner/agent.h"

typedef struct agent_ops {
    int    (*reset)(void *impl, const world *w, augur_err *err);
    int    (*act)(void *impl, const world *w, int *action, augur_err *err);
    int    (*observe)(void *impl, const world *w, int action, const world_step_result *r,
                      augur_err *err);
    int    (*idle)(void *impl, augur_err *err);
    int    (*describe)(const void *impl, buf *out);
    double (*accuracy)(const void *impl);
    int    (*dot)(const void *impl, buf *out);
    void   (*free)(void *impl);
} agent_ops;

int crafter_agent_new(const world_class *cls, const planner_opts *o, void **impl,
                      const agent_ops **ops, augur_err *err);
int general_agent_new(const world_class *cls, const planner_opts *o, void **impl,
                      const agent_ops **ops, augur_err *err);

#endif
