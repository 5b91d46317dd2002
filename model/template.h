/*
** template.h — chat templates: a conversation written the way a model family was
** trained to read it.
**
** augur does not run a model's Jinja template (tokenizer.chat_template); it knows
** the families' formats, and tells which one a model's template is by the marks
** it uses:
**
**   chatml   Qwen and many others  <|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n
**   llama3   Llama 3               <|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>...
**   mistral  Mistral, Mixtral      <s>[INST] Hi [/INST]Hello</s>[INST] ...
**   granite  IBM Granite           <|start_of_role|>user<|end_of_role|>Hi<|end_of_text|>\n...
**   olmoe    OLMoE (Tulu)          <|endoftext|><|user|>\nHi\n<|assistant|>\n
**
** A tool's answer is written as the user's turn, "<tool_response>\n...\n</tool_response>";
** an assistant's earlier tool calls as "<tool_call>\n{...}\n</tool_call>" after its text.
*/
#ifndef AUGUR_TEMPLATE_H
#define AUGUR_TEMPLATE_H

#include "base/buf.h"
#include "base/err.h"
#include "model/model.h"

enum chat_template { TEMPLATE_CHATML, TEMPLATE_LLAMA3, TEMPLATE_MISTRAL, TEMPLATE_GRANITE,
                     TEMPLATE_OLMOE, TEMPLATE_COUNT };

const char *chat_template_name(enum chat_template t);   /* "chatml", ... */
int         chat_template_parse(const char *name);      /* -1 for another name */

/* The family a Jinja template text is written for, or -1. */
int chat_template_detect(const char *jinja, size_t len);

/* msgs[n] and the assistant's opening, appended to out. system, when not NULL, is
** said first as the system's (joined to the messages' own system text); bos and
** eos are the vocabulary's texts for them. */
int chat_template_render(enum chat_template t, const model_message *msgs, size_t n,
                         const char *system, const char *bos, const char *eos, buf *out,
                         augur_err *err);

/* The texts that end an assistant's turn besides end-of-sequence, NULL-ended. */
const char *const *chat_template_ends(enum chat_template t);

#endif
