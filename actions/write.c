/* write.c — actions written by the model, run in the sandbox, repaired from their
** errors, and stored once they work (DynaSaur). */
#include "actions/private.h"
#include "base/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WRITE_K = 5, WRITE_ATTEMPTS = 3, WRITE_MAX_ERROR = 2000 };

static const char write_schema[] =
    "{\"type\":\"object\",\"properties\":{\"thought\":{\"type\":\"string\"},"
    "\"code\":{\"type\":\"string\"}},\"required\":[\"thought\",\"code\"],"
    "\"additionalProperties\":false}";

static const char write_system[] =
    "You do tasks by writing Lua 5.4 code that runs in a sandbox. Reply with a JSON object "
    "{\"thought\": \"how you will do it\", \"code\": \"the Lua code\"}.\n"
    "The actions listed with the task are global functions the code may call.\n"
    "1. When a listed action does the task, call it.\n"
    "2. Otherwise write a new action first: a general function with parameters (no value "
    "of this task written into it) that later tasks can reuse, in exactly this form:\n"
    "--- One line saying what it does.\n"
    "-- @kind reads (or writes, when it changes anything)\n"
    "-- @tparam string path (one line for each parameter)\n"
    "-- @treturn integer\n"
    "function count_csv_rows(path)\n"
    "  ...\n"
    "end\n"
    "It defines that one global function, its helpers local inside it, and its last "
    "line is `end` at the start of the line.\n"
    "3. Then write the statements that do the task by calling it, and `return` the "
    "answer.\n"
    "When the code fails you are shown the error: reply with the whole corrected code.";

void library_write_result_free(library_write_result *r)
{
    if (!r)
        return;
    free(r->thought);
    free(r->code);
    free(r->error);
    sandbox_result_free(&r->run);
    memset(r, 0, sizeof *r);
}

/* The user's first message: the task, its context, the actions retrieved for it. */
static int write_prompt(library *lib, const library_write_opts *opt, buf *out, augur_err *err)
{
    action_hit *hits = NULL;
    size_t n = 0;
    int rc;

    if ((rc = library_search(lib, opt->task, NULL, 0, 0, opt->k > 0 ? opt->k : WRITE_K, &hits,
                             &n, err)) != AUGUR_OK)
        return rc;
    buf_printf(out, "Task: %s\n", opt->task);
    if (opt->context && *opt->context)
        buf_printf(out, "\nContext:\n%s\n", opt->context);
    buf_puts(out, n ? "\nActions:\n" : "\nActions: none yet.\n");
    for (size_t i = 0; i < n && rc == AUGUR_OK; i++) {
        action a;
        if ((rc = library_get(lib, hits[i].name, 0, &a, err)) != AUGUR_OK)
            break;
        buf_printf(out, "- %s(", a.doc.name);
        for (int j = 0; j < a.doc.ninputs; j++)
            buf_printf(out, "%s%s %s", j ? ", " : "", a.doc.inputs[j].type,
                       a.doc.inputs[j].name);
        buf_printf(out, ")%s%s [%s]: %s\n", *a.doc.output ? " -> " : "", a.doc.output,
                   a.doc.kind, a.doc.description);
        action_free(&a);
    }
    free(hits);
    if (rc == AUGUR_OK && out->oom)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    return rc;
}

/* thought and code from a reply's text (which the schema has checked). */
static int write_reply(const model_result *r, library_write_result *out, augur_err *err)
{
    cJSON *j = json_parse(r->text, r->len, "the model's reply", err);
    const cJSON *thought = cJSON_GetObjectItemCaseSensitive(j, "thought");
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(j, "code");
    int rc = AUGUR_OK;

    if (!j)
        return AUGUR_EBADRESPONSE;
    free(out->thought);
    free(out->code);
    out->thought = out->code = NULL;
    if (!cJSON_IsString(thought) || !cJSON_IsString(code))
        rc = augur_err_set(err, AUGUR_EBADRESPONSE, "the model's reply lacks thought or code");
    else if (!(out->thought = strdup(thought->valuestring)) ||
             !(out->code = strdup(code->valuestring)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    cJSON_Delete(j);
    return rc;
}

/* Store the action code begins with, if it begins with an LDoc header: the shortest
** prefix ending at a line `end` that the library accepts. *why receives the refusal
** when none is accepted. */
static int write_store(library *lib, const char *code, library_write_result *out, buf *why,
                       augur_err *err)
{
    const char *p = code + strspn(code, " \t\r\n"), *line;
    int rc = AUGUR_OK, tried = 0;

    if (strncmp(p, "---", 3) != 0)
        return AUGUR_OK;
    for (line = p; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        size_t end = strcspn(line, "\n");
        action a;
        augur_err verr = { 0 };
        if (strncmp(line, "end", 3) != 0 || strspn(line + 3, " \t\r;") != end - 3)
            continue;
        tried = 1;
        rc = library_add(lib, p, (size_t)(line + end - p) + (line[end] == '\n'), "generated",
                         ACTION_GENERATED, &a, &verr);
        if (rc == AUGUR_OK) {
            snprintf(out->action, sizeof out->action, "%s", a.doc.name);
            out->version = a.version;
            action_free(&a);
            return AUGUR_OK;
        }
        if (rc != AUGUR_EINVAL)
            return augur_err_set(err, rc, "%s", verr.msg);
        if (!why->len)
            buf_printf(why, "the new action was not stored: %s", verr.msg);
    }
    if (!tried)
        buf_puts(why, "the new action was not stored: no line `end` at the start of a line "
                      "closes its function");
    return AUGUR_OK;
}

/* What a failed run tells the model: kind, line, message, traceback, bounded. */
static void write_failure(const sandbox_result *res, size_t max, buf *why)
{
    buf_printf(why, "the code failed (%s", sandbox_kind_name(res->kind));
    if (res->line)
        buf_printf(why, " at line %d", res->line);
    buf_printf(why, "): %s", res->message ? res->message : "");
    if (res->traceback)
        buf_printf(why, "\n%s", res->traceback);
    if (why->len > max)
        buf_truncate(why, max);
}

/* Run code; on success, store its new action. why is empty when both worked. */
static int write_try(library *lib, sandbox *sb, const library_write_opts *opt,
                     library_write_result *out, buf *why, augur_err *err)
{
    library_run_opts run = { "task", NULL, opt->task, opt->max_depth, opt->job, 0,
                             out->code, strlen(out->code) };
    int rc;

    sandbox_result_free(&out->run);
    buf_clear(why);
    if ((rc = library_run(lib, sb, &run, &out->run, err)) != AUGUR_OK)
        return rc;
    if (!out->run.ok) {
        write_failure(&out->run, opt->max_error ? opt->max_error : WRITE_MAX_ERROR, why);
        return AUGUR_OK;
    }
    rc = write_store(lib, out->code, out, why, err);
    if (why->len > (opt->max_error ? opt->max_error : WRITE_MAX_ERROR))
        buf_truncate(why, opt->max_error ? opt->max_error : WRITE_MAX_ERROR);
    return rc;
}

/* The conversation: the system prompt, the task, then a reply and its failure per
** repair; texts owns what the messages point to. */
typedef struct write_chat {
    model_message *msgs;
    char         **texts;
    size_t         n;
} write_chat;

static int write_say(write_chat *c, enum model_role role, char *text)
{
    if (!text)
        return AUGUR_ENOMEM;
    c->texts[c->n] = text;
    c->msgs[c->n] = (model_message){ role, text, NULL, 0, NULL };
    c->n++;
    return AUGUR_OK;
}

static int write_loop(library *lib, model *m, sandbox *sb, const library_write_opts *opt,
                      write_chat *c, library_write_result *out, augur_err *err)
{
    int attempts = opt->attempts > 0 ? opt->attempts : WRITE_ATTEMPTS, rc = AUGUR_OK;
    model_options mo = opt->model;
    buf why = BUF_INIT, ask = BUF_INIT;

    mo.schema = write_schema;
    while (out->attempts < attempts) {
        model_result r;
        out->attempts++;
        rc = model_chat(m, c->msgs, c->n, &mo, &r, err);
        if (rc == AUGUR_OK && (rc = write_reply(&r, out, err)) == AUGUR_OK &&
            (rc = write_say(c, MODEL_ASSISTANT, strdup(r.text))) != AUGUR_OK)
            augur_err_set(err, rc, "out of memory");
        model_result_free(&r);
        if (rc != AUGUR_OK || (rc = write_try(lib, sb, opt, out, &why, err)) != AUGUR_OK)
            break;
        if (!why.len) {
            out->ok = 1;
            break;
        }
        buf_clear(&ask);
        buf_printf(&ask, "%s\nReply with the whole corrected code.", buf_str(&why));
        if (ask.oom || why.oom || write_say(c, MODEL_USER, strdup(buf_str(&ask))) != AUGUR_OK) {
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == AUGUR_OK && !out->ok && !(out->error = strdup(buf_str(&why))))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    buf_free(&ask);
    buf_free(&why);
    return rc;
}

int library_write(library *lib, model *m, sandbox *sb, const library_write_opts *opt,
                  library_write_result *out, augur_err *err)
{
    int attempts = opt->attempts > 0 ? opt->attempts : WRITE_ATTEMPTS, rc;
    size_t cap = 2 + 2 * (size_t)attempts;
    write_chat c = { calloc(cap, sizeof *c.msgs), calloc(cap, sizeof *c.texts), 0 };
    buf prompt = BUF_INIT;

    memset(out, 0, sizeof *out);
    if (!opt->task || !*opt->task)
        rc = augur_err_set(err, AUGUR_EINVAL, "write: no task");
    else if (!c.msgs || !c.texts || write_say(&c, MODEL_SYSTEM, strdup(write_system)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if ((rc = write_prompt(lib, opt, &prompt, err)) == AUGUR_OK) {
        if (write_say(&c, MODEL_USER, buf_take(&prompt)) != AUGUR_OK)
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        else
            rc = write_loop(lib, m, sb, opt, &c, out, err);
    }
    for (size_t i = 0; i < c.n; i++)
        free(c.texts[i]);
    free(c.texts);
    free(c.msgs);
    buf_free(&prompt);
    return rc;
}
