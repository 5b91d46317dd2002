/*
** test_model_local.c — the local backend on synthesized models: chat templates
** chosen and refused, replies under a JSON Schema that always parse and validate
** (over many seeds), tool calls, the cache kept between calls, embeddings, token
** counts, the context limit, cancellation.
*/
#include "test.h"

#include "base/json.h"
#include "model/gguf.h"
#include "model/model.h"
#include "model/schema.h"
#include "model/synth.h"
#include "model/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dir, *dense, *moe;

static const char schema_text[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"action\":{\"enum\":[\"move\",\"mine\",\"craft\"]},"
    "\"steps\":{\"type\":\"integer\"},"
    "\"target\":{\"type\":\"string\",\"maxLength\":12},"
    "\"why\":{\"type\":[\"string\",\"null\"],\"maxLength\":20},"
    "\"items\":{\"type\":\"array\",\"items\":{\"type\":\"number\"},\"maxItems\":3},"
    "\"plan\":{\"type\":\"object\",\"properties\":{\"next\":{\"type\":\"boolean\"}},"
    "\"required\":[\"next\"]}},"
    "\"required\":[\"action\",\"steps\",\"plan\"],\"additionalProperties\":false}";

static const model_tool tools[] = {
    { "move", "Move some steps.", "{\"type\":\"object\",\"properties\":{\"dx\":{\"type\":"
      "\"integer\"},\"dy\":{\"type\":\"integer\"}},\"required\":[\"dx\",\"dy\"]}" },
    { "say", "Say something.", "{\"type\":\"object\",\"properties\":{\"text\":{\"type\":"
      "\"string\",\"maxLength\":10}},\"required\":[\"text\"]}" },
};

static model_config local_config(const char *path)
{
    model_config mc = MODEL_CONFIG_DEFAULT;

    mc.backend = MODEL_LOCAL;
    mc.name = path;
    mc.local.template = "chatml";
    mc.local.engine.threads = 1;
    mc.local.sampling.top_k = 0;
    mc.local.sampling.min_p = 0;
    mc.local.sampling.repeat_penalty = 1;
    mc.temperature = 1;
    mc.top_p = 1;
    mc.max_tokens = 48;
    return mc;
}

static model *open_local(const model_config *mc)
{
    augur_err err = { 0 };
    model *m;

    if (model_open(&m, mc, &err) != AUGUR_OK)
        fail_msg("model_open: %s", err.msg);
    return m;
}

static const model_message ask_msgs[] = { { MODEL_SYSTEM, "You plan.", NULL, 0, NULL },
                                          { MODEL_USER, "What next?", NULL, 0, NULL } };

/* A copy of src with tokenizer.chat_template = jinja. */
static char *with_template(const char *src, const char *name, const char *jinja)
{
    augur_err err = { 0 };
    gguf_writer *w = gguf_writer_new();
    gguf *g;
    char *out;

    if (asprintf(&out, "%s/%s", dir, name) < 0 || !w || gguf_open(&g, src, &err) != AUGUR_OK)
        fail_msg("copying %s: %s", src, err.msg);
    for (size_t i = 0; i < gguf_kv_count(g); i++) {
        gguf_str k = gguf_kv_key(g, i);
        char key[256];
        snprintf(key, sizeof key, "%.*s", (int)k.len, k.ptr);
        if (gguf_writer_add_value(w, key, gguf_kv_value(g, i), &err) != AUGUR_OK)
            fail_msg("%s", err.msg);
    }
    if (gguf_writer_add_str(w, "tokenizer.chat_template", jinja, strlen(jinja), &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *t = gguf_tensor_at(g, i);
        if (gguf_writer_add_tensor(w, t->name, t->type, t->n_dims, t->ne, t->data, &err))
            fail_msg("%s", err.msg);
    }
    if (gguf_writer_write(w, out, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    gguf_writer_free(w);
    gguf_close(g);
    return out;
}

static void test_templates(void **state)
{
    static const struct { const char *jinja; const char *name; } known[] = {
        { "{% for m in messages %}{{'<|im_start|>' + m['role'] + '\\n' + m['content'] + "
          "'<|im_end|>\\n'}}{% endfor %}", "chatml" },
        { "{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m['role'] }}"
          "<|end_header_id|>\\n\\n{{ m['content'] }}<|eot_id|>{% endfor %}", "llama3" },
        { "{{ bos_token }}{% for m in messages %}{% if m['role'] == 'user' %}[INST] "
          "{{ m['content'] }} [/INST]{% endif %}{% endfor %}", "mistral" },
        { "{%- for m in messages %}<|start_of_role|>{{ m['role'] }}<|end_of_role|>"
          "{{ m['content'] }}<|end_of_text|>\\n{%- endfor %}", "granite" },
        { "{{ bos_token }}{% for m in messages %}{{ '<|user|>\\n' + m['content'] + '\\n' }}"
          "{{ '<|assistant|>\\n' }}{% endfor %}", "olmoe" },
    };
    const model_message conv[] = {
        { MODEL_SYSTEM, "Sys.", NULL, 0, NULL },
        { MODEL_USER, "Hi", NULL, 0, NULL },
        { MODEL_ASSISTANT, "Hello", NULL, 0, NULL },
        { MODEL_USER, "Again", NULL, 0, NULL },
    };
    static const char *const rendered[TEMPLATE_COUNT] = {
        "<|im_start|>system\nSys.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant"
        "\nHello<|im_end|>\n<|im_start|>user\nAgain<|im_end|>\n<|im_start|>assistant\n",
        "<B><|start_header_id|>system<|end_header_id|>\n\nSys.<|eot_id|><|start_header_id|>user"
        "<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\nHello"
        "<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nAgain<|eot_id|>"
        "<|start_header_id|>assistant<|end_header_id|>\n\n",
        "<B>[INST] Sys.\n\nHi [/INST]Hello<E>[INST] Again [/INST]",
        "<|start_of_role|>system<|end_of_role|>Sys.<|end_of_text|>\n<|start_of_role|>user"
        "<|end_of_role|>Hi<|end_of_text|>\n<|start_of_role|>assistant<|end_of_role|>Hello"
        "<|end_of_text|>\n<|start_of_role|>user<|end_of_role|>Again<|end_of_text|>\n"
        "<|start_of_role|>assistant<|end_of_role|>",
        "<B><|system|>\nSys.\n<|user|>\nHi\n<|assistant|>\nHello<E>\n<|user|>\nAgain\n"
        "<|assistant|>\n",
    };
    model_config mc = local_config(dense);
    augur_err err = { 0 };
    model *m;

    (void)state;
    for (int t = 0; t < TEMPLATE_COUNT; t++) {
        buf out = BUF_INIT;
        assert_int_equal(chat_template_render((enum chat_template)t, conv, 4, NULL, "<B>", "<E>",
                                              &out, &err), AUGUR_OK);
        assert_string_equal(buf_str(&out), rendered[t]);
        buf_free(&out);
    }
    for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
        char name[32];
        char *path;
        snprintf(name, sizeof name, "t%zu.gguf", i);
        path = with_template(dense, name, known[i].jinja);
        assert_string_equal(chat_template_name(chat_template_detect(known[i].jinja,
                                                                    strlen(known[i].jinja))),
                            known[i].name);
        mc = local_config(path);
        mc.local.template = "auto";
        model_close(open_local(&mc));
        free(path);
    }
    mc = local_config(dense);
    mc.local.template = "auto";   /* the synthesized model has no template */
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "has no chat template (tokenizer.chat_template): set model.template "
                             "to chatml, llama3, mistral, granite or olmoe");
    {
        char *path = with_template(dense, "odd.gguf", "{{ 'User: ' + messages[0].content }}");
        mc = local_config(path);
        mc.local.template = "auto";
        assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
        assert_contains(err.msg, "its chat template is not one augur knows (it begins '{{ 'User: "
                                 "' + messages[0].content }}'): set model.template");
        free(path);
    }
    mc = local_config(dense);
    mc.local.template = "vicuna";
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
    mc = local_config("/nonexistent/model.gguf");
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_ENOTFOUND);
    mc = local_config("");
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "needs a GGUF file");
}

typedef struct pieces {
    buf text;
    int stop_after;
    int calls;
} pieces;

static int on_piece(void *ctx, const char *text, size_t len)
{
    pieces *p = ctx;

    buf_add(&p->text, text, len);
    return p->stop_after && ++p->calls >= p->stop_after;
}

static void test_plain(void **state)
{
    model_config mc = local_config(dense);
    model_options o = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    model_result a, b, c;
    augur_err err = { 0 };
    model *m = open_local(&mc);
    int64_t n;
    int exact;

    (void)state;
    o.seed = 5;
    o.on_text = on_piece;
    o.ctx = &p;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &a, &err), AUGUR_OK);
    assert_true(a.len > 0);
    assert_string_equal(buf_str(&p.text), a.text);   /* streamed pieces make the reply */
    assert_true(a.finish == MODEL_FINISH_LENGTH || a.finish == MODEL_FINISH_STOP);
    assert_true(a.prompt_tokens > 5);
    assert_true(a.completion_tokens > 0 && a.completion_tokens <= 48);
    assert_int_equal(a.n_tool_calls, 0);
    o.on_text = NULL;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &b, &err), AUGUR_OK);
    assert_string_equal(a.text, b.text);   /* the same seed, the same reply */
    o.seed = 6;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &c, &err), AUGUR_OK);
    assert_string_not_equal(a.text, c.text);
    model_result_free(&a);
    model_result_free(&b);
    model_result_free(&c);

    /* the callback asks to stop: cancelled, with what came */
    buf_clear(&p.text);
    p.stop_after = 2;
    o.on_text = on_piece;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &a, &err), AUGUR_ECANCELLED);
    assert_string_equal(a.text, buf_str(&p.text));
    model_result_free(&a);

    assert_int_equal(model_count_tokens(m, "hello world", 11, &n, &exact, &err), AUGUR_OK);
    assert_int_equal(exact, 1);
    assert_true(n > 0 && n <= 11);
    buf_free(&p.text);
    model_close(m);
}

/* The same call gives the same reply whether the engine's cache holds the start of
** its prompt (from an earlier call) or not. */
static void test_cache_reuse(void **state)
{
    const model_message longer[] = {
        { MODEL_SYSTEM, "You plan.", NULL, 0, NULL },
        { MODEL_USER, "What next?", NULL, 0, NULL },
        { MODEL_ASSISTANT, "Mine.", NULL, 0, NULL },
        { MODEL_USER, "And then?", NULL, 0, NULL },
    };
    model_config mc = local_config(dense);
    model_options o = MODEL_OPTIONS_DEFAULT;
    model_result warm, cold;
    augur_err err = { 0 };
    model *m = open_local(&mc), *fresh = open_local(&mc);

    (void)state;
    o.seed = 3;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &warm, &err), AUGUR_OK);
    model_result_free(&warm);
    assert_int_equal(model_chat(m, longer, 4, &o, &warm, &err), AUGUR_OK);
    assert_int_equal(model_chat(fresh, longer, 4, &o, &cold, &err), AUGUR_OK);
    assert_string_equal(warm.text, cold.text);
    assert_int_equal(warm.prompt_tokens, cold.prompt_tokens);
    model_result_free(&warm);
    model_result_free(&cold);
    model_close(m);
    model_close(fresh);
}

static void check_under_schema(const char *path, int seeds, int max_tokens)
{
    cJSON *schema = cJSON_Parse(schema_text);
    model_config mc = local_config(path);
    model_options o = MODEL_OPTIONS_DEFAULT;
    augur_err err = { 0 };
    model *m;

    mc.max_tokens = max_tokens;
    m = open_local(&mc);
    o.schema = schema_text;
    for (int seed = 0; seed < seeds; seed++) {
        model_result r;
        buf why = BUF_INIT;
        cJSON *doc;
        o.seed = seed;
        if (model_chat(m, ask_msgs, 2, &o, &r, &err) != AUGUR_OK)
            fail_msg("seed %d: %s", seed, err.msg);
        doc = json_parse(r.text, r.len, "reply", &err);
        if (!doc || !schema_validate(schema, doc, &why))
            fail_msg("seed %d: '%s' (%s, %lld tokens): %s", seed, r.text,
                     model_finish_name(r.finish), (long long)r.completion_tokens,
                     doc ? buf_str(&why) : err.msg);
        assert_int_equal(r.n_tool_calls, 0);
        assert_true(r.completion_tokens <= max_tokens);
        cJSON_Delete(doc);
        buf_free(&why);
        model_result_free(&r);
    }
    model_close(m);
    cJSON_Delete(schema);
}

static void test_schema_always_parses(void **state)
{
    (void)state;
    check_under_schema(dense, 40, 96);
    check_under_schema(moe, 15, 96);
    check_under_schema(dense, 10, 56);   /* 7 tokens to spare: the grammar closes early */
}

static void test_tools(void **state)
{
    model_config mc = local_config(dense);
    model_options o = MODEL_OPTIONS_DEFAULT;
    augur_err err = { 0 };
    model *m;

    (void)state;
    mc.max_tokens = 64;
    m = open_local(&mc);
    o.tools = tools;
    o.n_tools = 2;
    o.tool_choice = MODEL_TOOLS_REQUIRED;
    for (int seed = 0; seed < 15; seed++) {
        model_result r;
        o.seed = seed;
        if (model_chat(m, ask_msgs, 2, &o, &r, &err) != AUGUR_OK)
            fail_msg("seed %d: %s", seed, err.msg);
        assert_int_equal(r.n_tool_calls, 1);
        assert_int_equal(r.finish, MODEL_FINISH_TOOL_CALLS);
        assert_string_equal(r.text, "");
        assert_true(strcmp(r.tool_calls[0].name, "move") == 0 ||
                    strcmp(r.tool_calls[0].name, "say") == 0);
        assert_string_equal(r.tool_calls[0].id, "call_0");
        model_result_free(&r);
    }
    /* a schema or a call: each reply is one of them, whole */
    o.tool_choice = MODEL_TOOLS_AUTO;
    o.schema = "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},"
               "\"required\":[\"n\"]}";
    for (int seed = 0; seed < 15; seed++) {
        model_result r;
        o.seed = seed;
        if (model_chat(m, ask_msgs, 2, &o, &r, &err) != AUGUR_OK)
            fail_msg("seed %d: %s", seed, err.msg);
        assert_true(r.n_tool_calls == 1 || strstr(r.text, "\"n\""));
        model_result_free(&r);
    }
    /* tools offered, the model free to answer in text */
    o.schema = NULL;
    for (int seed = 0; seed < 3; seed++) {
        model_result r;
        o.seed = seed;
        assert_int_equal(model_chat(m, ask_msgs, 2, &o, &r, &err), AUGUR_OK);
        assert_true(r.finish == MODEL_FINISH_STOP || r.finish == MODEL_FINISH_LENGTH ||
                    r.finish == MODEL_FINISH_TOOL_CALLS);
        model_result_free(&r);
    }
    {
        model_result r;
        o.schema = "{\"type\":\"string\",\"pattern\":\"^x$\"}";
        assert_int_equal(model_chat(m, ask_msgs, 2, &o, &r, &err), AUGUR_EINVAL);
        assert_contains(err.msg, "'pattern' cannot be enforced");
        model_result_free(&r);
    }
    model_close(m);
}

static void test_embeddings(void **state)
{
    const char *texts[] = { "mine the tree", "craft a table", "mine the tree" };
    model_config mc = local_config(moe);
    model_vectors v;
    augur_err err = { 0 };
    model *m = open_local(&mc);
    model_totals t;
    double same = 0, other = 0;

    (void)state;
    assert_int_equal(model_embed(m, texts, 3, &v, &err), AUGUR_OK);
    assert_int_equal(v.n, 3);
    assert_int_equal(v.dim, 64);
    for (size_t i = 0; i < 3; i++) {
        double norm = 0;
        for (size_t k = 0; k < v.dim; k++)
            norm += (double)v.data[i * v.dim + k] * v.data[i * v.dim + k];
        assert_true(fabs(norm - 1) < 1e-5);
    }
    for (size_t k = 0; k < v.dim; k++) {
        same += fabs(v.data[k] - v.data[2 * v.dim + k]);
        other += fabs(v.data[k] - v.data[v.dim + k]);
    }
    assert_true(same == 0);    /* the same text, the same vector */
    assert_true(other > 0.01);
    model_vectors_free(&v);
    model_totals_get(m, &t);
    assert_true(t.prompt_tokens > 3);
    model_close(m);
}

static void test_limits(void **state)
{
    model_config mc = local_config(dense);
    model_options o = MODEL_OPTIONS_DEFAULT;
    model_message big = { MODEL_USER, NULL, NULL, 0, NULL };
    atomic_int cancel = 1;
    model_result r;
    augur_err err = { 0 };
    char text[4096];
    model *m;

    (void)state;
    mc.local.engine.context = 64;
    m = open_local(&mc);
    memset(text, 'a', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    for (size_t i = 7; i < sizeof text - 1; i += 8)
        text[i] = ' ';
    big.content = text;
    assert_int_equal(model_chat(m, &big, 1, NULL, &r, &err), AUGUR_ECONTEXT);
    assert_contains(err.msg, "the context holds 64");
    model_result_free(&r);
    o.cancel = &cancel;
    assert_int_equal(model_chat(m, ask_msgs, 2, &o, &r, &err), AUGUR_ECANCELLED);
    model_result_free(&r);
    model_close(m);
}

static int setup(void **state)
{
    synth_opts o = SYNTH_OPTS_DEFAULT;
    augur_err err = { 0 };

    (void)state;
    dir = test_tmpdir();
    if (asprintf(&dense, "%s/dense.gguf", dir) < 0 || asprintf(&moe, "%s/moe.gguf", dir) < 0)
        return -1;
    o.vocab = 700;
    o.context = 512;
    o.seed = 21;
    o.threads = 1;
    if (synth_write(&o, dense, &err) != AUGUR_OK)
        return -1;
    o.arch = "olmoe";
    o.experts = 8;
    o.experts_used = 2;
    o.seed = 22;
    return synth_write(&o, moe, &err) == AUGUR_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    free(dense);
    free(moe);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_templates),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_cache_reuse),
        cmocka_unit_test(test_schema_always_parses),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_embeddings),
        cmocka_unit_test(test_limits),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
