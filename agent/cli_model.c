/* cli_model.c — `augur model`: inspect a GGUF file, tokenize and detokenize with it. */
#include "agent/cli.h"
#include "base/file.h"
#include "model/gguf.h"
#include "model/info.h"
#include "model/tokenizer.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum { MODEL_STDIN_MAX = 256u << 20 };

/* "12.3 MiB" */
static const char *model_bytes(uint64_t n, char *out, size_t size)
{
    static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
    double v = (double)n;
    int u = 0;

    while (v >= 1024 && u < 4) {
        v /= 1024;
        u++;
    }
    snprintf(out, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
    return out;
}

/* "1.23 B" */
static const char *model_count(uint64_t n, char *out, size_t size)
{
    if (n >= 1000000000)
        snprintf(out, size, "%.2f B", (double)n / 1e9);
    else if (n >= 1000000)
        snprintf(out, size, "%.2f M", (double)n / 1e6);
    else if (n >= 1000)
        snprintf(out, size, "%.1f K", (double)n / 1e3);
    else
        snprintf(out, size, "%llu", (unsigned long long)n);
    return out;
}

static int model_open(const char *path, const char *cmd, gguf **g)
{
    augur_err err = { 0 };

    if (gguf_open(g, path, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static void info_print(const char *path, const gguf *g, const model_info *m)
{
    char a[32], b[32], c[32];

    printf("file:           %s (GGUF version %u, %s)\n", path, gguf_version(g),
           model_bytes(gguf_file_size(g), a, sizeof a));
    printf("architecture:   %.*s", (int)m->arch.len, m->arch.ptr ? m->arch.ptr : "unknown");
    if (m->name.ptr)
        printf(" (%.*s)", (int)m->name.len, m->name.ptr);
    printf("\nparameters:     %s (%llu)\n", model_count(m->params, a, sizeof a),
           (unsigned long long)m->params);
    if (m->experts > 0)
        printf("experts:        %lld, %lld used per token (%s parameters in experts)\n",
               (long long)m->experts, (long long)m->experts_used,
               model_count(m->expert_params, a, sizeof a));
    else
        printf("experts:        none (dense)\n");
    printf("active/token:   %s parameters\n", model_count(m->active_params, a, sizeof a));
    printf("shape:          %lld layers, width %lld, %lld heads (%lld for K/V), context %lld\n",
           (long long)m->layers, (long long)m->width, (long long)m->heads,
           (long long)m->heads_kv, (long long)m->context);
    printf("tensors:        %llu, %s\n", (unsigned long long)m->tensors,
           model_bytes(m->tensor_bytes, a, sizeof a));
    for (int i = 0; i < m->n_types; i++)
        printf("  %-8s %6llu tensors  %10s\n", ggml_type_get(m->types[i].type)->name,
               (unsigned long long)m->types[i].tensors,
               model_bytes(m->types[i].bytes, a, sizeof a));
    if (m->tokenizer.ptr)
        printf("tokenizer:      %.*s, %llu tokens\n", (int)m->tokenizer.len, m->tokenizer.ptr,
               (unsigned long long)m->vocab_size);
    else
        printf("tokenizer:      none\n");
    printf("chat template:  %s\n", m->has_chat_template ? "yes" : "no");
    printf("memory:         %s weights (mapped) + %s KV cache (f32, %lld positions) = %s\n",
           model_bytes(m->tensor_bytes, a, sizeof a), model_bytes(m->kv_bytes, b, sizeof b),
           (long long)m->context, model_bytes(m->tensor_bytes + m->kv_bytes, c, sizeof c));
}

static int model_cmd_info(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    model_info m;
    gguf *g;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    (void)c;
    if (rc >= 0)
        return rc;
    if ((rc = model_open(argv[1], path, &g)) != CLI_OK)
        return rc;
    model_info_get(g, &m);
    info_print(argv[1], g, &m);
    gguf_close(g);
    return CLI_OK;
}

/* The file's tokenizer, or a message and NULL. */
static tokenizer *model_tokenizer(const char *file, const char *cmd, gguf **g)
{
    augur_err err = { 0 };
    tokenizer *tok;

    if (model_open(file, cmd, g) != CLI_OK)
        return NULL;
    if (tokenizer_new(&tok, *g, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s: %s\n", cmd, file, err.msg);
        gguf_close(*g);
        return NULL;
    }
    return tok;
}

static int model_read_stdin(const char *cmd, char **text, size_t *len)
{
    augur_err err = { 0 };

    if (file_read_fd(0, "stdin", MODEL_STDIN_MAX, text, len, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        return CLI_FAILED;
    }
    return CLI_OK;
}

static int model_cmd_tokenize(cli *c, const cli_command *cmd, const char *path, int argc,
                              char **argv)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    const char *file = NULL;
    unsigned flags = 0;
    tokenizer *tok;
    char *text = NULL;
    size_t len;
    gguf *g;
    int rc;

    (void)c;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        } else if (strcmp(argv[i], "--bos") == 0) {
            flags |= TOKENIZE_ADD_SPECIAL;
        } else if (strcmp(argv[i], "--parse-special") == 0) {
            flags |= TOKENIZE_PARSE_SPECIAL;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_usage(path, "unknown option '%s'", argv[i]);
        } else if (file) {
            return cli_usage(path, "expected one FILE, got '%s' and '%s'", file, argv[i]);
        } else {
            file = argv[i];
        }
    }
    if (!file)
        return cli_usage(path, "expected %s", cmd->args);
    if (!(tok = model_tokenizer(file, path, &g)))
        return CLI_FAILED;
    rc = model_read_stdin(path, &text, &len);
    if (rc == CLI_OK && tokenizer_encode(tok, text, len, flags, &ids, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    }
    for (size_t i = 0; rc == CLI_OK && i < ids.len; i++)
        printf("%s%ld", i ? " " : "", (long)ids.ids[i]);
    if (rc == CLI_OK)
        putchar('\n');
    if (rc == CLI_OK && fflush(stdout) != 0)
        rc = CLI_FAILED;
    free(text);
    token_list_free(&ids);
    tokenizer_free(tok);
    gguf_close(g);
    return rc;
}

/* The ids in text, separated by white space; a message and -1 for anything else. */
static int model_parse_ids(const char *cmd, const char *text, token_list *ids)
{
    const char *p = text;

    for (;;) {
        char *end;
        long id;
        while (isspace((unsigned char)*p))
            p++;
        if (!*p)
            return 0;
        errno = 0;
        id = strtol(p, &end, 10);
        if (end == p || errno || id < 0 || id > INT32_MAX ||
            (*end && !isspace((unsigned char)*end))) {
            fprintf(stderr, "%s: '%.*s' is not a token id\n", cmd, (int)strcspn(p, " \t\r\n"), p);
            return -1;
        }
        if (token_list_push(ids, (int32_t)id) != AUGUR_OK)
            return -1;
        p = end;
    }
}

static int model_cmd_detokenize(cli *c, const cli_command *cmd, const char *path, int argc,
                                char **argv)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    buf out = BUF_INIT;
    tokenizer *tok;
    char *text = NULL;
    size_t len;
    gguf *g;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    (void)c;
    if (rc >= 0)
        return rc;
    if (!(tok = model_tokenizer(argv[1], path, &g)))
        return CLI_FAILED;
    rc = model_read_stdin(path, &text, &len);
    if (rc == CLI_OK && model_parse_ids(path, text, &ids) != 0)
        rc = CLI_FAILED;
    if (rc == CLI_OK &&
        tokenizer_decode(tok, ids.ids, ids.len, DETOKENIZE_SPECIAL, &out, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    }
    if (rc == CLI_OK && (fwrite(out.data, 1, out.len, stdout) != out.len || fflush(stdout) != 0))
        rc = CLI_FAILED;
    free(text);
    buf_free(&out);
    token_list_free(&ids);
    tokenizer_free(tok);
    gguf_close(g);
    return rc;
}

static const cli_command cmd_info = {
    "info", "FILE", "describe a GGUF model: architecture, parameters, experts, types, memory",
    "Prints the architecture, the parameter count (and, for a mixture of experts, the\n"
    "experts and the parameters active per token), the tensor types with their counts\n"
    "and sizes, the tokenizer, whether a chat template is present, and the memory the\n"
    "model needs: its weights, mapped from the file, and an f32 KV cache at its full\n"
    "context length.\n",
    model_cmd_info, NULL,
};

static const cli_command cmd_tokenize = {
    "tokenize", "FILE [--bos] [--parse-special]",
    "print the token ids of stdin, on one line, separated by spaces",
    "stdin is taken byte for byte: nothing is stripped, not even a final newline.\n"
    "\n"
    "options:\n"
    "  --bos             add BOS and EOS where the vocabulary says to (add_bos_token,\n"
    "                    add_eos_token)\n"
    "  --parse-special   control tokens written in the text (<s>, <|endoftext|>) become\n"
    "                    those tokens; by default they are plain text\n",
    model_cmd_tokenize, NULL,
};

static const cli_command cmd_detokenize = {
    "detokenize", "FILE", "read token ids from stdin and write the bytes they stand for",
    "Ids are separated by white space. Control tokens are written as their text.\n",
    model_cmd_detokenize, NULL,
};

static const cli_command *const model_commands[] = { &cmd_info, &cmd_tokenize, &cmd_detokenize,
                                                     NULL };

const cli_command cli_model_command = {
    "model", "COMMAND", "inspect GGUF model files and tokenize with them", NULL, NULL,
    model_commands,
};
