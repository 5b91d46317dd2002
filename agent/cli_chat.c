/* cli_chat.c — `augur chat`: ask the configured model one thing, stream or print the reply. */
#include "agent/cli.h"
#include "agent/model_conf.h"
#include "base/file.h"
#include "base/json.h"

#include <signal.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A message or a schema larger than this is refused rather than read. */
enum { CHAT_INPUT_MAX = 16 << 20 };

typedef struct chat_opts {
    const char *backend, *model, *url, *schema, *record, *replay, *message;
    int         json;
} chat_opts;

static int chat_parse(const cli_command *cmd, const char *path, int argc, char **argv,
                      chat_opts *o)
{
    static const struct { const char *name; size_t at; } valued[] = {
        { "--backend", offsetof(chat_opts, backend) }, { "--model", offsetof(chat_opts, model) },
        { "--url", offsetof(chat_opts, url) },         { "--schema", offsetof(chat_opts, schema) },
        { "--record", offsetof(chat_opts, record) },   { "--replay", offsetof(chat_opts, replay) },
    };

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t k = 0;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        }
        if (strcmp(a, "--json") == 0) {
            o->json = 1;
            continue;
        }
        while (k < sizeof valued / sizeof *valued && strcmp(a, valued[k].name) != 0)
            k++;
        if (k < sizeof valued / sizeof *valued) {
            if (++i == argc)
                return cli_usage(path, "%s needs a value", a);
            *(const char **)((char *)o + valued[k].at) = argv[i];
        } else if (a[0] == '-' && a[1]) {
            return cli_usage(path, "unknown option '%s'", a);
        } else if (o->message) {
            return cli_usage(path, "one MESSAGE only ('%s' is one too many; quote the message)", a);
        } else {
            o->message = a;
        }
    }
    return -1;
}

/* [model] with the command line's choices over it. */
static int chat_config(cli *c, const char *path, const chat_opts *o, model_conf *mc)
{
    augur_err err = { 0 };
    config *cfg = cli_config(c);

    if (!cfg)
        return CLI_USAGE;
    if (model_conf_read(cfg, mc, &err) != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_USAGE;
    }
    if (o->backend && model_backend_parse(o->backend) < 0)
        return cli_usage(path, "--backend must be local, http or replay, not '%s'", o->backend);
    if (o->backend)
        mc->cfg.backend = (enum model_backend_kind)model_backend_parse(o->backend);
    else if (o->replay)
        mc->cfg.backend = MODEL_REPLAY;
    else if (o->url)
        mc->cfg.backend = MODEL_HTTP;
    if (o->model)
        mc->cfg.name = o->model;
    if (o->url)
        mc->cfg.http.url = o->url;
    if (o->record)
        mc->cfg.record = o->record;
    if (o->replay)
        mc->cfg.replay = o->replay;
    model_conf_prices(cfg, &mc->cfg);
    return -1;
}

static atomic_int chat_interrupted;

static void chat_on_sigint(int sig)
{
    (void)sig;
    if (atomic_exchange(&chat_interrupted, 1))
        _exit(130);
}

static int chat_print(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    return fwrite(text, 1, len, stdout) != len || fflush(stdout) != 0;
}

/* {"text", "tool_calls": [{"name", "arguments": {...}}], "usage": {"prompt_tokens",
** "completion_tokens"}, "finish_reason", "latency_ms"} */
static char *chat_json(const model_result *r)
{
    cJSON *j = cJSON_CreateObject(), *calls, *usage;
    char *text = NULL;

    if (!j || !cJSON_AddStringToObject(j, "text", r->text) ||
        !(calls = cJSON_AddArrayToObject(j, "tool_calls")))
        goto done;
    for (size_t i = 0; i < r->n_tool_calls; i++) {
        cJSON *call = cJSON_CreateObject(), *args = cJSON_Parse(r->tool_calls[i].arguments);
        if (!call || !cJSON_AddItemToArray(calls, call) ||
            !cJSON_AddStringToObject(call, "name", r->tool_calls[i].name) ||
            !cJSON_AddItemToObject(call, "arguments", args ? args : cJSON_CreateObject())) {
            cJSON_Delete(args);
            goto done;
        }
    }
    if ((usage = cJSON_AddObjectToObject(j, "usage")) &&
        cJSON_AddNumberToObject(usage, "prompt_tokens", (double)r->prompt_tokens) &&
        cJSON_AddNumberToObject(usage, "completion_tokens", (double)r->completion_tokens) &&
        cJSON_AddStringToObject(j, "finish_reason", model_finish_name(r->finish)) &&
        cJSON_AddNumberToObject(j, "latency_ms", r->latency_ms))
        text = cJSON_PrintUnformatted(j);
done:
    cJSON_Delete(j);
    return text;
}

/* Ask, with Ctrl-C as the cancel flag; print as o says. */
static int chat_ask(const char *path, model *m, const chat_opts *o, const char *message,
                    const char *schema)
{
    model_message msg = { MODEL_USER, message, NULL, 0, NULL };
    model_options opts = MODEL_OPTIONS_DEFAULT;
    struct sigaction sa, old;
    augur_err err = { 0 };
    model_result r;
    char *json;
    int rc;

    opts.schema = schema;
    opts.cancel = &chat_interrupted;
    if (!o->json)
        opts.on_text = chat_print;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = chat_on_sigint;
    sigaction(SIGINT, &sa, &old);
    rc = model_chat(m, &msg, 1, &opts, &r, &err);
    sigaction(SIGINT, &old, NULL);
    if (!o->json && r.len)
        putchar('\n');
    if (rc == AUGUR_OK && o->json) {
        if (!(json = chat_json(&r))) {
            rc = AUGUR_ENOMEM;
            augur_err_set(&err, rc, "out of memory");
        } else {
            puts(json);
            cJSON_free(json);
        }
    } else if (rc == AUGUR_OK && isatty(2)) {
        fprintf(stderr, "%lld prompt + %lld completion tokens, %.0f ms, ended by %s\n",
                (long long)r.prompt_tokens, (long long)r.completion_tokens, r.latency_ms,
                model_finish_name(r.finish));
    }
    fflush(stdout);
    if (rc != AUGUR_OK)
        fprintf(stderr, "%s: %s\n", path, err.msg);
    model_result_free(&r);
    return rc == AUGUR_OK ? CLI_OK : CLI_FAILED;
}

/* The message (stdin when not given, less its final newlines) and the schema file. */
static int chat_inputs(const char *path, const chat_opts *o, char **message, char **schema)
{
    augur_err err = { 0 };
    size_t len;

    if (o->schema && file_read(o->schema, CHAT_INPUT_MAX, schema, &len, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_USAGE;
    }
    if (o->message) {
        *message = strdup(o->message);
    } else if (file_read_fd(0, "stdin", CHAT_INPUT_MAX, message, &len, &err) == AUGUR_OK) {
        while (len && ((*message)[len - 1] == '\n' || (*message)[len - 1] == '\r'))
            (*message)[--len] = '\0';
    } else {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_FAILED;
    }
    if (!*message) {
        fprintf(stderr, "%s: out of memory\n", path);
        return CLI_FAILED;
    }
    if (!**message)
        return cli_usage(path, "the message is empty");
    return -1;
}

static int chat_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    chat_opts o = { 0 };
    model_conf mc = { 0 };
    augur_err err = { 0 };
    char *message = NULL, *schema = NULL;
    model *m = NULL;
    int rc;

    if ((rc = chat_parse(cmd, path, argc, argv, &o)) >= 0)
        return rc;
    if ((rc = chat_config(c, path, &o, &mc)) < 0 &&
        (rc = chat_inputs(path, &o, &message, &schema)) < 0) {
        if (model_open(&m, &mc.cfg, &err) != AUGUR_OK) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            rc = err.code == AUGUR_EINVAL || err.code == AUGUR_ENOTFOUND ? CLI_USAGE : CLI_FAILED;
        } else {
            rc = chat_ask(path, m, &o, message, schema);
        }
    }
    model_close(m);
    model_conf_free(&mc);
    free(message);
    free(schema);
    return rc;
}

const cli_command cli_chat_command = {
    "chat", "[options] [MESSAGE]", "ask the model one thing and stream its reply",
    "options (each overrides [model] in the configuration):\n"
    "  --backend NAME   who answers: local (a GGUF file run here), http (an OpenAI-compatible\n"
    "                   server) or replay (a file of recorded calls)\n"
    "  --model M        local: the GGUF file; http: the model's name on the server\n"
    "  --url URL        the server's base URL (model.http.url); implies --backend http\n"
    "  --schema FILE    a JSON Schema the reply must satisfy (the local backend samples\n"
    "                   only what it allows; a server gets it as response_format)\n"
    "  --record FILE    append the call, request and response, to FILE (JSONL)\n"
    "  --replay FILE    answer from a recorded FILE; implies --backend replay\n"
    "  --json           print one object instead of streaming the text:\n"
    "                   {\"text\", \"tool_calls\": [{\"name\", \"arguments\": {...}}], \"usage\":\n"
    "                   {\"prompt_tokens\", \"completion_tokens\"}, \"finish_reason\", \"latency_ms\"}\n"
    "\n"
    "Without MESSAGE the message is read from standard input. Ctrl-C stops the reply.\n"
    "Exit status 0 when the model answered, 1 when the call failed, 2 on a usage error.\n",
    chat_run, NULL,
};
