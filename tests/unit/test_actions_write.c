/* test_actions_write.c — actions written and repaired by the model (DynaSaur), end to end:
** a real library, a real process-isolated sandbox, and model replies replayed from a
** JSONL file the test writes. */
#include "test.h"
#include "actions/library.h"
#include "base/file.h"
#include "base/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char count_rows[] =
    "--- Count the data rows of a CSV text.\n"
    "-- @kind reads\n"
    "-- @tparam string text\n"
    "-- @treturn integer\n"
    "function count_csv_rows(text)\n"
    "  local n = 0\n"
    "  for _ in text:gmatch('[^\\n]+') do n = n + 1 end\n"
    "  return n - 1\n"
    "end\n";

/* The first reply: the action calls a function that does not exist. */
static const char count_rows_broken[] =
    "--- Count the data rows of a CSV text.\n"
    "-- @kind reads\n"
    "-- @tparam string text\n"
    "-- @treturn integer\n"
    "function count_csv_rows(text)\n"
    "  return #split_lines(text) - 1\n"
    "end\n";

static const char call_rows[] = "return count_csv_rows('h\\n1\\n2\\n')\n";

static char *scratch;
static library *lib;
static sandbox *sb;

static int setup(void **state)
{
    sandbox_config cfg = { { 10000000, 16 << 20, 5000, 4096, 1 << 20 }, SANDBOX_PROCESS, 1, 50,
                           60, 64 << 20 };
    library_options opt = { NULL, NULL, 0, 0, 0 };
    augur_err err = { 0 };
    buf path = BUF_INIT;

    (void)state;
    scratch = test_tmpdir();
    buf_printf(&path, "%s/lib.db", scratch);
    if (sandbox_new(&sb, &cfg, &err) != AUGUR_OK)
        fail_msg("sandbox_new: %s", err.msg);
    opt.sandbox = sb;
    if (library_open(&lib, buf_str(&path), &opt, &err) != AUGUR_OK)
        fail_msg("library_open: %s", err.msg);
    buf_free(&path);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    library_close(lib);
    sandbox_free(sb);
    test_rmtree(scratch);
    free(scratch);
    return 0;
}

/* A reply {"thought", "code"} as the model's text. */
static char *reply(const char *thought, const char *code1, const char *code2)
{
    buf b = BUF_INIT, code = BUF_INIT;

    buf_printf(&code, "%s%s", code1, code2);
    buf_puts(&b, "{\"thought\":");
    json_quote(&b, thought, strlen(thought));
    buf_puts(&b, ",\"code\":");
    json_quote(&b, code.data, code.len);
    buf_puts(&b, "}");
    buf_free(&code);
    return buf_take(&b);
}

/* The answer to a call the replay file lacked, from its kind ("chat", "embed") and
** request; and a call of the library through a model, returning its code. */
typedef cJSON *answer_fn(const char *kind, const cJSON *request, void *ctx);
typedef int call_fn(model *m, void *ctx, augur_err *err);

/* Append to the replay file the answer to the last call probe recorded. */
static void fixture_answer(const char *fixture, const char *probe, answer_fn *answer, void *ctx)
{
    char *data = NULL, *last, *line;
    size_t len;
    augur_err err = { 0 };
    cJSON *j;
    buf out = BUF_INIT;
    FILE *f;

    assert_int_equal(file_read(probe, 1 << 24, &data, &len, &err), AUGUR_OK);
    assert_true(len > 0 && data[len - 1] == '\n');
    data[len - 1] = '\0';
    last = strrchr(data, '\n');
    line = last ? last + 1 : data;
    assert_non_null(j = json_parse(line, strlen(line), probe, &err));
    assert_contains(line, "\"code\":-4");     /* the call the replay file lacked */
    cJSON_ReplaceItemInObjectCaseSensitive(j, "response", answer(
        cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(j, "kind")),
        cJSON_GetObjectItemCaseSensitive(j, "request"), ctx));
    assert_int_equal(json_canonical(&out, j), AUGUR_OK);
    buf_putc(&out, '\n');
    assert_non_null(f = fopen(fixture, "a"));
    assert_int_equal(fwrite(out.data, 1, out.len, f), out.len);
    fclose(f);
    cJSON_Delete(j);
    buf_free(&out);
    free(data);
}

/* Call the library with the model's answers scripted: each time the replay file lacks
** the call made (whose request depends on the earlier answers and what they led to),
** the next answer is recorded for it, and the call starts again. Returns the replay
** file (free it); *used is how many answers were recorded. */
static char *scripted(call_fn *call, void *ctx, answer_fn *answer, void *actx, size_t max,
                      size_t *used)
{
    buf fixture = BUF_INIT, probe = BUF_INIT;
    augur_err err;
    int rc;

    buf_printf(&fixture, "%s/replies.jsonl", scratch);
    buf_printf(&probe, "%s/probe.jsonl", scratch);
    free(test_write(scratch, "replies.jsonl", "\n"));
    for (*used = 0;; (*used)++) {
        model_config mc = MODEL_CONFIG_DEFAULT;
        model *m;
        unlink(buf_str(&probe));
        mc.backend = MODEL_REPLAY;
        mc.name = "coder";
        mc.replay = buf_str(&fixture);
        mc.record = buf_str(&probe);
        memset(&err, 0, sizeof err);
        assert_int_equal(model_open(&m, &mc, &err), AUGUR_OK);
        rc = call(m, ctx, &err);
        model_close(m);
        if (rc != AUGUR_ENOTFOUND)
            break;
        if (*used == max)
            fail_msg("more than %zu calls", max);
        fixture_answer(buf_str(&fixture), buf_str(&probe), answer, actx);
    }
    if (rc != AUGUR_OK)
        fail_msg("the call failed: %s", err.msg);
    buf_free(&probe);
    return buf_take(&fixture);
}

/* Chat replies, in turn. */
typedef struct script {
    char *const *replies;
    size_t       next;
} script;

static cJSON *answer_chat(const char *kind, const cJSON *request, void *ctx)
{
    script *s = ctx;
    cJSON *resp = cJSON_CreateObject();

    (void)request;
    assert_string_equal(kind, "chat");
    cJSON_AddStringToObject(resp, "text", s->replies[s->next++]);
    cJSON_AddArrayToObject(resp, "tool_calls");
    cJSON_AddStringToObject(resp, "finish_reason", "stop");
    return resp;
}

typedef struct write_call {
    const library_write_opts *opt;
    library_write_result     *out;
} write_call;

static int call_write(model *m, void *ctx, augur_err *err)
{
    write_call *w = ctx;
    int rc = library_write(lib, m, sb, w->opt, w->out, err);

    if (rc == AUGUR_ENOTFOUND)
        library_write_result_free(w->out);
    return rc;
}

/* library_write with the model's replies scripted. */
static char *write_scripted(const library_write_opts *opt, char *const *replies, size_t n,
                            library_write_result *out, size_t *used)
{
    write_call w = { opt, out };
    script s = { replies, 0 };

    return scripted(call_write, &w, answer_chat, &s, n, used);
}

static void replies_free(char **replies, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(replies[i]);
}

static library_write_opts write_opts(const char *task, int attempts)
{
    library_write_opts opt = { task, "The text is given in the task.", 0, attempts, 0, 0,
                               { 0 }, MODEL_OPTIONS_DEFAULT };
    opt.job.isolation = SANDBOX_PROCESS;
    return opt;
}

static void test_write_repair(void **state)
{
    char *replies[2] = { reply("Write a row counter.", count_rows_broken, call_rows),
                         reply("split_lines does not exist; count with gmatch.", count_rows,
                               call_rows) };
    library_write_opts opt = write_opts("Count the data rows of the CSV text 'h\\n1\\n2\\n'.", 3);
    library_write_result res;
    augur_err err = { 0 };
    char *fixture, *text = NULL;
    size_t used, len, n;
    action a, *hist;

    (void)state;
    fixture = write_scripted(&opt, replies, 2, &res, &used);
    assert_int_equal(used, 2);
    assert_true(res.ok);
    assert_int_equal(res.attempts, 2);
    assert_null(res.error);
    assert_string_equal(res.action, "count_csv_rows");
    assert_int_equal(res.version, 1);
    assert_true(res.run.ok);
    assert_int_equal(res.run.value->type, SANDBOX_INT);
    assert_int_equal(res.run.value->integer, 2);
    assert_string_equal(res.thought, "split_lines does not exist; count with gmatch.");

    /* Stored: the action alone, not the statements that called it; never the broken one. */
    assert_int_equal(library_get(lib, "count_csv_rows", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.origin, ACTION_GENERATED);
    assert_string_equal(a.source, count_rows);
    assert_string_equal(a.doc.description, "Count the data rows of a CSV text.");
    action_free(&a);
    assert_int_equal(library_history(lib, "count_csv_rows", &hist, &n, &err), AUGUR_OK);
    assert_int_equal(n, 1);
    actions_free(hist, n);

    /* The repair was asked with the first reply and its error in the conversation. */
    assert_int_equal(file_read(fixture, 1 << 24, &text, &len, &err), AUGUR_OK);
    assert_contains(text, "Task: Count the data rows of the CSV text");
    assert_contains(text, "The text is given in the task.");
    assert_contains(text, "Actions: none yet.");
    assert_contains(text, "the code failed (runtime");
    assert_contains(text, "split_lines");
    assert_contains(text, "Reply with the whole corrected code.");
    assert_contains(text, "\"response_format\"");
    free(text);
    free(fixture);
    library_write_result_free(&res);
    replies_free(replies, 2);
    assert_int_equal(library_purge(lib, "count_csv_rows", &err), AUGUR_OK);
}

static void test_write_attempt_limit(void **state)
{
    char *replies[3] = { reply("one", count_rows_broken, call_rows),
                         reply("two", count_rows_broken, call_rows),
                         reply("three", count_rows, call_rows) };
    library_write_opts opt = write_opts("Count the data rows of 'h\\n1\\n'.", 2);
    library_write_result res;
    augur_err err = { 0 };
    action a;
    size_t used;
    char *fixture;

    (void)state;
    fixture = write_scripted(&opt, replies, 3, &res, &used);
    assert_int_equal(used, 2);          /* the third reply was never asked for */
    assert_false(res.ok);
    assert_int_equal(res.attempts, 2);
    assert_false(res.run.ok);
    assert_non_null(res.error);
    assert_contains(res.error, "split_lines");
    assert_string_equal(res.action, "");
    assert_int_equal(library_get(lib, "count_csv_rows", 0, &a, &err), AUGUR_ENOTFOUND);
    library_write_result_free(&res);
    free(fixture);
    replies_free(replies, 3);
}

static void test_write_refused_then_bounded(void **state)
{
    /* Code that runs, but whose action the library refuses (a kind it does not know). */
    static const char bad_kind[] =
        "--- Count the data rows of a CSV text.\n"
        "-- @kind sometimes\n"
        "function count_csv_rows(text)\n"
        "  local n = 0\n"
        "  for _ in text:gmatch('[^\\n]+') do n = n + 1 end\n"
        "  return n - 1\n"
        "end\n";
    char *replies[2] = { reply("first", bad_kind, call_rows),
                         reply("fixed the kind", count_rows, call_rows) };
    library_write_opts opt = write_opts("Count the data rows of a text.", 0);
    library_write_result res;
    augur_err err = { 0 };
    char *fixture, *text = NULL;
    size_t used, len;
    action a;

    (void)state;
    opt.max_error = 60;
    fixture = write_scripted(&opt, replies, 2, &res, &used);
    assert_int_equal(used, 2);
    assert_true(res.ok);
    assert_string_equal(res.action, "count_csv_rows");
    assert_int_equal(library_get(lib, "count_csv_rows", 0, &a, &err), AUGUR_OK);
    assert_int_equal(a.version, 1);
    assert_string_equal(a.doc.kind, "reads");
    action_free(&a);
    assert_int_equal(file_read(fixture, 1 << 24, &text, &len, &err), AUGUR_OK);
    /* The refusal, cut at max_error (60 bytes), then the request for a repair. */
    assert_contains(text, "\"the new action was not stored: generated:2: @kind must be re"
                          "\\nReply with the whole corrected code.\"");
    free(text);
    free(fixture);
    library_write_result_free(&res);
    replies_free(replies, 2);
}

static void test_write_reuse(void **state)
{
    char *replies[1] = { reply("count_csv_rows does it.", "", "return count_csv_rows('h\\n1\\n')") };
    library_write_opts opt = write_opts("Count the data rows of the CSV text 'h\\n1\\n'.", 3);
    library_write_result res;
    augur_err err = { 0 };
    char *fixture, *text = NULL;
    size_t used, len, n;
    action *hist;

    (void)state;
    /* count_csv_rows is stored by the test before: the prompt offers it. */
    fixture = write_scripted(&opt, replies, 1, &res, &used);
    assert_true(res.ok);
    assert_int_equal(res.attempts, 1);
    assert_string_equal(res.action, "");
    assert_int_equal(res.run.value->integer, 1);
    assert_int_equal(library_history(lib, "count_csv_rows", &hist, &n, &err), AUGUR_OK);
    assert_int_equal(n, 1);
    actions_free(hist, n);
    assert_int_equal(file_read(fixture, 1 << 24, &text, &len, &err), AUGUR_OK);
    assert_contains(text, "- count_csv_rows(string text) -> integer [reads]: Count the data rows");
    free(text);
    free(fixture);
    library_write_result_free(&res);
    replies_free(replies, 1);
}

static void test_write_bad_input(void **state)
{
    library_write_opts opt = write_opts("", 1);
    library_write_result res;
    model_config mc = MODEL_CONFIG_DEFAULT;
    augur_err err = { 0 };
    char *path = test_write(scratch, "empty.jsonl", "\n");
    model *m;

    (void)state;
    mc.backend = MODEL_REPLAY;
    mc.name = "coder";
    mc.replay = path;
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_OK);
    assert_int_equal(library_write(lib, m, sb, &opt, &res, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "no task");
    library_write_result_free(&res);
    opt.task = "anything";
    assert_int_equal(library_write(lib, m, sb, &opt, &res, &err), AUGUR_ENOTFOUND);
    assert_int_equal(res.attempts, 1);
    library_write_result_free(&res);
    model_close(m);
    free(path);
}

/* Embeddings by what a text is about: rows, words, or neither. */
static cJSON *answer_embed(const char *kind, const cJSON *request, void *ctx)
{
    const cJSON *input = cJSON_GetObjectItemCaseSensitive(request, "input"), *t;
    cJSON *resp = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(resp, "embeddings");
    int *texts = ctx;

    assert_string_equal(kind, "embed");
    cJSON_ArrayForEach(t, input) {
        const char *s = cJSON_GetStringValue(t);
        float v[3] = { 0, 0, 1 };
        if (strstr(s, "rows") || strstr(s, "spreadsheet"))
            v[0] = 1, v[1] = 0.1f, v[2] = 0.2f;
        else if (strstr(s, "words"))
            v[0] = 0, v[1] = 1, v[2] = 0;
        cJSON_AddItemToArray(rows, cJSON_CreateFloatArray(v, 3));
        (*texts)++;
    }
    return resp;
}

static int call_embed_pending(model *m, void *ctx, augur_err *err)
{
    return library_embed_pending(lib, m, ctx, err);
}

typedef struct search_call {
    const char *query;
    action_hit *hits;
    size_t      n;
} search_call;

static int call_search(model *m, void *ctx, augur_err *err)
{
    search_call *s = ctx;

    free(s->hits);
    return library_search_model(lib, m, s->query, 0.5, 5, &s->hits, &s->n, err);
}

static void test_embed(void **state)
{
    static const char words[] =
        "--- Count the words of a text.\n-- @kind reads\n-- @tparam string text\n"
        "-- @treturn integer\n"
        "function word_count(text) local n = 0 for _ in text:gmatch('%S+') do n = n + 1 end "
        "return n end\n";
    search_call q = { "tally spreadsheet records", NULL, 0 };
    augur_err err = { 0 };
    action_hit *hits;
    size_t count, used, n;
    int texts = 0;
    char *fixture;

    (void)state;
    /* count_csv_rows, written by the model in the tests before, and word_count. */
    assert_int_equal(library_add(lib, words, strlen(words), NULL, ACTION_USER, NULL, &err),
                     AUGUR_OK);
    fixture = scripted(call_embed_pending, &count, answer_embed, &texts, 1, &used);
    assert_int_equal(count, 2);
    assert_int_equal(texts, 2);         /* one call for both */
    free(fixture);
    /* Nothing is left to embed: no call is made (the replay file is empty). */
    fixture = scripted(call_embed_pending, &count, answer_embed, &texts, 0, &used);
    assert_int_equal(count, 0);
    free(fixture);

    /* BM25 alone finds nothing for the question; mixed with the cosine, the row counter. */
    assert_int_equal(library_search(lib, q.query, NULL, 0, 0, 5, &hits, &n, &err), AUGUR_OK);
    assert_int_equal(n, 0);
    free(hits);
    fixture = scripted(call_search, &q, answer_embed, &texts, 1, &used);
    assert_true(q.n >= 1);
    assert_string_equal(q.hits[0].name, "count_csv_rows");
    assert_true(q.hits[0].score > 0 && q.hits[0].score <= 1);
    if (q.n > 1)
        assert_true(q.hits[1].score < q.hits[0].score);
    free(q.hits);
    free(fixture);
}

/* `augur actions write` with [model] replaying: a reply written the way the library
** tests write theirs, the new action stored as generated. */
static void test_write_cli(void **state)
{
    static const char *const args[] = {
        "-c", "model.backend=replay", "-c", "model.name=coder", "-c", "model.replay=replies.jsonl",
        "-c", "model.record=probe.jsonl", "actions", "write", "--db", "cli.db", "--json",
        "--context", "a CSV text", "Count the data rows of 'h\\n1\\n2\\n'.", NULL
    };
    char *dir = test_augur_setup(), *r = reply("new action", count_rows, call_rows);
    buf out = BUF_INIT, err = BUF_INIT;

    (void)state;
    free(test_write(".", "replies.jsonl", "\n"));
    assert_int_equal(test_augurv(NULL, args, &out, &err), 1);
    assert_contains(buf_str(&err), "no recorded chat has this request");
    fixture_answer("replies.jsonl", "probe.jsonl", answer_chat, &(script){ &r, 0 });
    unlink("probe.jsonl");
    assert_int_equal(test_augurv(NULL, args, &out, &err), 0);
    assert_contains(buf_str(&out), "{\"ok\": true, \"attempts\": 1, \"action\": \"count_csv_rows\", "
                                   "\"version\": 1, \"thought\": \"new action\"");
    assert_contains(buf_str(&out), "\"error\": null, \"run\": {\"ok\": true, \"result\": 2,");
    assert_int_equal(test_augur(NULL, &out, &err, "actions", "show", "--db", "cli.db", "--json",
                                "count_csv_rows", NULL), 0);
    assert_contains(buf_str(&out), "\"origin\": \"generated\"");

    /* With actions.embed on, search embeds the library's actions, then the query. */
    static const char *const search[] = {
        "-c", "model.backend=replay", "-c", "model.name=coder", "-c", "model.replay=replies.jsonl",
        "-c", "model.record=probe.jsonl", "-c", "actions.embed=true", "actions", "search",
        "--db", "cli.db", "--json", "tally spreadsheet records", NULL
    };
    int texts = 0;
    for (int i = 0; i < 2; i++) {
        unlink("probe.jsonl");
        assert_int_equal(test_augurv(NULL, search, &out, &err), 1);
        if (i == 0)
            assert_contains(buf_str(&err), "embeddings (actions.embed): ");
        assert_contains(buf_str(&err), "no recorded embedding has this request");
        fixture_answer("replies.jsonl", "probe.jsonl", answer_embed, &texts);
    }
    assert_true(texts > 2);             /* the builtins and count_csv_rows, then the query */
    assert_int_equal(test_augurv(NULL, search, &out, &err), 0);
    assert_contains(buf_str(&out), "[{\"name\": \"count_csv_rows\", \"version\": 1");
    assert_int_equal(test_augur(NULL, &out, &err, "actions", "search", "--db", "cli.db", "--json",
                                "tally spreadsheet records", NULL), 0);
    assert_string_equal(buf_str(&out), "[]\n");   /* BM25 alone */
    assert_int_equal(test_augur(NULL, &out, &err, "actions", "write", "--help", NULL), 0);
    assert_contains(buf_str(&out), "actions.write_attempts");
    buf_free(&out);
    buf_free(&err);
    free(r);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_repair),
        cmocka_unit_test(test_write_attempt_limit),
        cmocka_unit_test(test_write_refused_then_bounded),
        cmocka_unit_test(test_write_reuse),
        cmocka_unit_test(test_write_bad_input),
        cmocka_unit_test(test_embed),
        cmocka_unit_test(test_write_cli),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
