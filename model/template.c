/* template.c — the chat formats of the model families augur runs. */
#include "model/template.h"

#include <string.h>

static const char *const names[TEMPLATE_COUNT] = { "chatml", "llama3", "mistral", "granite",
                                                   "olmoe" };

const char *chat_template_name(enum chat_template t)
{
    return (unsigned)t < TEMPLATE_COUNT ? names[t] : "?";
}

int chat_template_parse(const char *name)
{
    for (int i = 0; i < TEMPLATE_COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int chat_template_detect(const char *jinja, size_t len)
{
    static const struct { const char *mark, *also; enum chat_template t; } marks[] = {
        { "<|im_start|>", NULL, TEMPLATE_CHATML },
        { "<|start_header_id|>", NULL, TEMPLATE_LLAMA3 },
        { "<|start_of_role|>", NULL, TEMPLATE_GRANITE },
        { "[INST]", NULL, TEMPLATE_MISTRAL },
        { "<|user|>", "<|assistant|>", TEMPLATE_OLMOE },
    };

    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (memmem(jinja, len, marks[i].mark, strlen(marks[i].mark)) &&
            (!marks[i].also || memmem(jinja, len, marks[i].also, strlen(marks[i].also))))
            return (int)marks[i].t;
    return -1;
}

const char *const *chat_template_ends(enum chat_template t)
{
    static const char *const chatml[] = { "<|im_end|>", "<|endoftext|>", NULL };
    static const char *const llama3[] = { "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", NULL };
    static const char *const granite[] = { "<|end_of_text|>", NULL };
    static const char *const none[] = { NULL };

    return t == TEMPLATE_CHATML ? chatml : t == TEMPLATE_LLAMA3 ? llama3
         : t == TEMPLATE_GRANITE ? granite : none;
}

/* The text of a message: its content, then its tool calls; a tool's answer wrapped. */
static void message_text(const model_message *m, buf *out)
{
    if (m->role == MODEL_TOOL) {
        buf_printf(out, "<tool_response>\n%s\n</tool_response>", m->content ? m->content : "");
        return;
    }
    buf_puts(out, m->content ? m->content : "");
    for (size_t i = 0; i < m->n_tool_calls; i++)
        buf_printf(out, "%s<tool_call>\n{\"name\": \"%s\", \"arguments\": %s}\n</tool_call>",
                   out->len ? "\n" : "", m->tool_calls[i].name ? m->tool_calls[i].name : "",
                   m->tool_calls[i].arguments ? m->tool_calls[i].arguments : "{}");
}

/* The role a message is written under: a tool's answer is the user's turn. */
static const char *role_of(const model_message *m)
{
    return m->role == MODEL_TOOL ? "user" : model_role_name(m->role);
}

/* Families with a role header around each turn: before role, between, after. */
static void render_turns(const model_message *msgs, size_t n, const char *system,
                         const char *open, const char *mid, const char *close, buf *out)
{
    buf text = BUF_INIT;
    int said_system = !system;

    for (size_t i = 0; i <= n; i++) {
        const model_message *m = i < n ? &msgs[i] : NULL;
        buf_clear(&text);
        if (!said_system && (!m || m->role != MODEL_SYSTEM)) {
            buf_printf(out, "%ssystem%s%s%s", open, mid, system, close);
            said_system = 1;
        }
        if (!m)
            break;
        message_text(m, &text);
        if (m->role == MODEL_SYSTEM && !said_system) {
            buf_printf(&text, "\n\n%s", system);
            said_system = 1;
        }
        buf_printf(out, "%s%s%s%s%s", open, role_of(m), mid, buf_str(&text), close);
    }
    buf_printf(out, "%sassistant%s", open, mid);
    buf_free(&text);
}

/* Mistral: no system role (its text goes before the first user message), user
** turns in [INST] ... [/INST], the assistant's closed by EOS. */
static void render_mistral(const model_message *msgs, size_t n, const char *system,
                           const char *bos, const char *eos, buf *out)
{
    buf sys = BUF_INIT, text = BUF_INIT;

    for (size_t i = 0; i < n; i++)
        if (msgs[i].role == MODEL_SYSTEM)
            buf_printf(&sys, "%s%s", sys.len ? "\n\n" : "", msgs[i].content);
    if (system)
        buf_printf(&sys, "%s%s", sys.len ? "\n\n" : "", system);
    buf_puts(out, bos);
    for (size_t i = 0; i < n; i++) {
        const model_message *m = &msgs[i];
        if (m->role == MODEL_SYSTEM)
            continue;
        buf_clear(&text);
        message_text(m, &text);
        if (m->role == MODEL_ASSISTANT) {
            buf_printf(out, "%s%s", buf_str(&text), eos);
        } else {
            buf_printf(out, "[INST] %s%s%s [/INST]", buf_str(&sys), sys.len ? "\n\n" : "",
                       buf_str(&text));
            buf_clear(&sys);
        }
    }
    buf_free(&sys);
    buf_free(&text);
}

/* OLMoE's Tulu format: <|role|>\ntext\n, the assistant's text closed by EOS. */
static void render_olmoe(const model_message *msgs, size_t n, const char *system,
                         const char *bos, const char *eos, buf *out)
{
    buf text = BUF_INIT;

    buf_puts(out, bos);
    if (system)
        buf_printf(out, "<|system|>\n%s\n", system);
    for (size_t i = 0; i < n; i++) {
        buf_clear(&text);
        message_text(&msgs[i], &text);
        buf_printf(out, "<|%s|>\n%s%s\n", role_of(&msgs[i]), buf_str(&text),
                   msgs[i].role == MODEL_ASSISTANT ? eos : "");
    }
    buf_puts(out, "<|assistant|>\n");
    buf_free(&text);
}

int chat_template_render(enum chat_template t, const model_message *msgs, size_t n,
                         const char *system, const char *bos, const char *eos, buf *out,
                         augur_err *err)
{
    switch (t) {
    case TEMPLATE_CHATML:
        render_turns(msgs, n, system, "<|im_start|>", "\n", "<|im_end|>\n", out);
        break;
    case TEMPLATE_LLAMA3:
        buf_puts(out, bos);
        render_turns(msgs, n, system, "<|start_header_id|>", "<|end_header_id|>\n\n",
                     "<|eot_id|>", out);
        break;
    case TEMPLATE_GRANITE:
        render_turns(msgs, n, system, "<|start_of_role|>", "<|end_of_role|>",
                     "<|end_of_text|>\n", out);
        break;
    case TEMPLATE_MISTRAL:
        render_mistral(msgs, n, system, bos, eos, out);
        break;
    case TEMPLATE_OLMOE:
        render_olmoe(msgs, n, system, bos, eos, out);
        break;
    default:
        return augur_err_set(err, AUGUR_EINVAL, "no such chat template");
    }
    return out->oom ? augur_err_set(err, AUGUR_ENOMEM, "out of memory") : AUGUR_OK;
}
