/*
** library.h — the action library: Lua actions stored, versioned, searched and run.
**
** A library is one SQLite file (WAL, so many processes may share it) holding every
** version of every action, a usage log, a full-text index (FTS5) over the latest
** versions' names, descriptions and sources, and embeddings given by the caller.
** An action is an LDoc-documented Lua file defining one global function (ldoc.h).
**
**     library *lib;
**     library_options opt = { .mirror = "actions.git" };
**     if (library_open(&lib, "actions.db", &opt, &err) != AUGUR_OK) ... err.msg ...
**     library_add(lib, src, len, ACTION_USER, &a, &err);     validated in the sandbox
**     library_search(lib, "count csv rows", NULL, 0, 10, &hits, &n, &err);
**     library_run(lib, sb, &run, &res, &err);                 with its callees
**     library_close(lib);
**
** With a mirror, every added version is also committed to a git repository
** (actions/co/count_csv_rows.lua), so `git log` shows how the library grew. The
** database is the truth: a version whose commit was lost (a crash between the two)
** is committed when the library is next opened.
**
** A library handle is used from one thread at a time; any number of handles, in
** any number of processes, may share one file.
*/
#ifndef AUGUR_ACTIONS_LIBRARY_H
#define AUGUR_ACTIONS_LIBRARY_H

#include <stddef.h>
#include <stdint.h>

#include "actions/ldoc.h"
#include "base/err.h"
#include "model/model.h"
#include "sandbox/sandbox.h"

typedef struct library library;

typedef enum action_origin { ACTION_BUILTIN, ACTION_GENERATED, ACTION_USER } action_origin;

/* "builtin", "generated", "user"; and back (-1: none). */
const char *action_origin_name(action_origin origin);
int         action_origin_parse(const char *name);

/* One version of an action, with its usage so far. */
typedef struct action {
    int64_t     id;
    int         version;
    int         parent;         /* the version it revises; 0 for the first */
    action_origin origin;
    int         deprecated;
    int64_t     created_ms;     /* Unix time */
    char        hash[41];       /* the git blob id of the source */
    ldoc        doc;            /* name, description, kind, inputs, output */
    char       *source;
    size_t      len;
    int64_t     uses, successes;
    char       *last_error;     /* the latest failed use's "kind: message"; NULL if none */
} action;

void action_free(action *a);    /* frees the members; a itself is the caller's */
void actions_free(action *a, size_t n);

typedef struct library_options {
    const char *mirror;         /* git repository to commit every version to; NULL: none */
    sandbox    *sandbox;        /* validates sources; NULL: an inproc one of the library's */
    int64_t     max_source;     /* largest source accepted, in bytes; 0: 65536 */
    int         busy_ms;        /* how long to wait for another writer; 0: 10000 */
    int         builtins;       /* add the builtin actions when missing */
} library_options;

int  library_open(library **out, const char *path, const library_options *opt, augur_err *err);
void library_close(library *lib);

/* Validate src (it must compile in the sandbox and define exactly the global
** function its LDoc header names, and nothing else) and store it as the next
** version of that name; a source identical to the latest version adds nothing.
** out (may be NULL) receives the stored version. A source that fails validation
** is AUGUR_EINVAL with a message saying why. */
int library_add(library *lib, const char *src, size_t len, const char *file,
                action_origin origin, action *out, augur_err *err);

/* A version (0: the latest) of name; AUGUR_ENOTFOUND when there is none. */
int library_get(library *lib, const char *name, int version, action *out, augur_err *err);

/* Every version of name, oldest first. */
int library_history(library *lib, const char *name, action **out, size_t *n, augur_err *err);

/* The latest version of every action not deprecated, by name. */
int library_list(library *lib, action **out, size_t *n, augur_err *err);

typedef struct action_hit {
    char   name[LDOC_NAME_MAX + 1];
    int    version;
    char   kind[8];
    char   description[LDOC_DESC_MAX + 1];
    double score;               /* higher is better: -BM25 alone, mixed from 0 to 1 */
} action_hit;

/* The k best actions for query: by BM25 over names, descriptions and sources (weights
** 10, 4, 1); when qvec (dim floats) is given and actions have embeddings of that
** dimension, by a mix of BM25 scaled to [0, 1] and cosine similarity (weight: the share
** of the cosine, 0 to 1). Two shortcuts keep a search fast on a large library: words
** held by so many actions that ranking them would score more than 1,000 rows (words
** whose BM25 weight is low for that reason) only fill places the rarer words leave;
** and when there are more than 40 x k embeddings, the 40 x k whose signs differ least
** from the query's are the only ones scored exactly. Query text is words only: no
** FTS5 operator of the caller's reaches the index. */
int library_search(library *lib, const char *query, const float *qvec, int dim, double weight,
                   int k, action_hit **out, size_t *n, augur_err *err);

/* Store the embedding of a version (0: the latest) of name, replacing any. */
int library_embed(library *lib, const char *name, int version, const float *vec, int dim,
                  augur_err *err);

/* Embed with m ("name: description") every latest version, not deprecated, that has no
** embedding yet, and store them; *count says how many. A backend that gives no
** embeddings fails here with its own error, and nothing is stored. */
int library_embed_pending(library *lib, model *m, size_t *count, augur_err *err);

/* library_search with the query embedded by m: a mix of BM25 and cosine by weight. */
int library_search_model(library *lib, model *m, const char *query, double weight, int k,
                         action_hit **out, size_t *n, augur_err *err);

typedef struct action_use {
    const char *name;
    int         version;        /* 0: the latest */
    const char *task;           /* may be NULL */
    int         ok;
    const char *error_kind;     /* "runtime", ...; NULL when ok */
    const char *error;          /* the message; NULL when ok */
    double      duration_ms;
} action_use;

int library_record_use(library *lib, const action_use *use, augur_err *err);

/* Deprecate name: hidden from listing and search, its history kept. */
int library_deprecate(library *lib, const char *name, augur_err *err);

/* Delete name with all its versions, usage and embeddings (and its mirror file). */
int library_purge(library *lib, const char *name, augur_err *err);

/* ---- runs ------------------------------------------------------------------------- */

typedef struct library_run_opts {
    const char          *name;      /* the action to call; with chunk, the chunk's name */
    const sandbox_value *args;      /* its arguments: an array, or NULL */
    const char          *task;      /* recorded with the use; may be NULL */
    int                  max_depth; /* nested action calls; 0: 8 */
    sandbox_job          job;       /* seed, limits, isolation, allow; source unused */
    int                  record;    /* record the use in the log */
    const char          *chunk;     /* NULL; or Lua to run instead, called with args */
    size_t               chunk_len;
} library_run_opts;

/* Run an action (or a chunk) in sb: every stored action the source names (and
** theirs, in turn) is a global function of the run, each call counted against
** max_depth. Returns as sandbox_run does. */
int library_run(library *lib, sandbox *sb, const library_run_opts *opt, sandbox_result *res,
                augur_err *err);

/* Expose host.git to the runs that allow "git": read-only views (libgit2) of the git
** repositories under root, which the builtin actions git_log, git_show, git_grep and
** git_blame use. A repository is named by its path relative to root, and may not lie
** outside it.
**     host.git.log(repo [, n]) → {{id, author, time, summary, message}, ...} from HEAD
**     host.git.show(repo [, rev [, path]]) → the commit, or the file's text at rev
**     host.git.grep(repo, text) → {{path, line, text}, ...}: lines of HEAD holding text
**     host.git.blame(repo, path) → {{line, lines, id, author}, ...}: HEAD's hunks */
int library_git_add(sandbox *sb, const char *root, augur_err *err);

/* Expose host.docs to the runs that allow "docs": full-text search (SQLite FTS5) over
** the text files of a folder under root, on which the builtin action search_text is
** written. The index is kept in the SQLite file index (made when missing; keep it
** outside root, so actions cannot edit it), keyed by root, and brought up to date
** before each search: changed files (size or modification time) are indexed again,
** removed ones dropped. Folders follow host.fs's rules (relative, no "..", no symlink
** out); symlinks and hidden names inside are passed over, and so are files over 1 MiB
** or holding a NUL byte in their first 8 KiB; a folder of more than 10,000 files is
** refused. The query is words only: no FTS5 operator of the caller's reaches the index.
**     host.docs.search(query [, folder [, k]]) → {{path, score, snippet}, ...}, best
**     first (score: -BM25; the snippet marks the words found with [ ]) */
int library_docs_add(sandbox *sb, const char *root, const char *index, augur_err *err);

/* ---- writing actions (DynaSaur) -------------------------------------------------- */

typedef struct library_write_opts {
    const char   *task;
    const char   *context;         /* what the task works on; may be NULL */
    int           k;               /* actions retrieved into the prompt; 0: 5 */
    int           attempts;        /* replies asked for, the first and its repairs; 0: 3 */
    size_t        max_error;       /* bytes of a failure sent back for a repair; 0: 2000 */
    int           max_depth;       /* as for library_run */
    sandbox_job   job;             /* seed, limits, isolation, allow; source unused */
    model_options model;           /* the calls' settings; the schema is write's own */
} library_write_opts;

typedef struct library_write_result {
    int            ok;             /* some reply's code ran without error (and was stored) */
    int            attempts;       /* replies asked for */
    char          *thought;        /* the last reply's */
    char          *code;
    sandbox_result run;            /* the last run of its code */
    char          *error;          /* why the last attempt failed; NULL when ok */
    char           action[LDOC_NAME_MAX + 1];   /* the action stored; "" when none was new */
    int            version;
} library_write_result;

/* Do opt->task with code the model writes. The prompt holds the task, its context and
** the k actions most relevant to it (callable as globals); the model answers
** {"thought", "code"}: Lua that calls an action that does the task, or first defines a
** new general action in the LDoc form and then calls it, returning the answer. The
** code runs in sb as library_run runs a chunk; a failure (the run's error with its
** traceback, or a new action the library refuses) goes back to the model, bounded to
** max_error bytes, for a repair, up to opt->attempts replies. Only an action whose
** code ran without error is stored (ACTION_GENERATED). Returns AUGUR_OK with out->ok
** saying whether it worked, or the model's or the library's failure; free out either
** way. */
int  library_write(library *lib, model *m, sandbox *sb, const library_write_opts *opt,
                   library_write_result *out, augur_err *err);
void library_write_result_free(library_write_result *r);

/* ---- sharing ---------------------------------------------------------------------- */

typedef enum library_conflict {
    LIBRARY_SKIP,       /* a name already here keeps its versions */
    LIBRARY_REVISE,     /* an imported source becomes the next version of the name */
    LIBRARY_FAIL        /* a name already here with another source stops the import */
} library_conflict;

/* "skip", "revise", "fail"; and back (-1: none). */
const char *library_conflict_name(library_conflict rule);
int         library_conflict_parse(const char *name);

/* Write the latest version of every action, not deprecated, to dir/actions/PR/NAME.lua;
** when dir is a git repository (or git is set), commit them there. */
int library_export(library *lib, const char *dir, int git, size_t *count, augur_err *err);

/* Add every *.lua under dir, by the conflict rule; counts what was added, skipped
** and failed (with the first failure's message in err, and AUGUR_EINVAL). */
int library_import(library *lib, const char *dir, library_conflict rule, size_t *added,
                   size_t *skipped, augur_err *err);

#endif
