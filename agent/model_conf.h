/*
** model_conf.h — the [model] section of the configuration, made into a model_config.
*/
#ifndef AUGUR_MODEL_CONF_H
#define AUGUR_MODEL_CONF_H

#include "agent/config.h"
#include "model/model.h"

typedef struct model_conf {
    model_config cfg;
    buf          cache_path;   /* the default cache file's path, when the cache is on */
} model_conf;

/* Fill out->cfg from [model], [model.sampling], [model.http], [model.cache] and the
** prices of model.name. Strings point into c (keep it while out is used); free
** out with model_conf_free. A value out of range is AUGUR_ECONFIG, "file:line: what". */
int  model_conf_read(const config *c, model_conf *out, augur_err *err);
void model_conf_free(model_conf *mc);

/* The local engine's settings: [model] threads, context, batch, kv_type, kernels,
** template; [model.routing]; [model.sampling]. */
int model_conf_local(const config *c, model_local_config *out, augur_err *err);

/* mc's prices: [model.prices."NAME"] for mc->name, 0 when the name has no entry. */
void model_conf_prices(const config *c, model_config *mc);

#endif
