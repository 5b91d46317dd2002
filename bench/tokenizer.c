/*
** bench/tokenizer.c — how fast augur tokenizes, and how long `augur model info`
** takes, each beside baselines measured in the same run.
**
**     build/bench/tokenizer [DIR] [SEED]     (make bench)
**
** The text is a few MB of mixed prose, code, numbers and non-Latin scripts made
** from SEED (default 1): the same seed, the same bytes. It is encoded with a
** SentencePiece vocabulary (llama-spm) and a byte-level BPE one (gpt-2) from
** $AUGUR_FIXTURES/vocab, on one thread. The baselines: a bare pass over the bytes
** (the machine's limit for anything that reads every byte) and, for BPE, the
** pre-tokenizer's expressions alone (PCRE2 splitting the text, no merging).
** `augur model info` runs on the largest file of $AUGUR_FIXTURES/gguf, beside
** `augur --version` (the cost of starting the program) and a plain read of the file.
*/
#include "bench/bench.h"
#include "base/buf.h"
#include "base/rng.h"
#include "base/file.h"
#include "base/time.h"
#include "model/gguf.h"
#include "model/tokenizer.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

enum { BENCH_ROUNDS = 5, BENCH_TEXT_BYTES = 4 << 20, BENCH_INFO_ROUNDS = 11 };

static rng bench_rng;

static uint32_t bench_next(void)
{
    return (uint32_t)(rng_next(&bench_rng) >> 32);
}

static const char *bench_pick(const char *const *list, size_t n)
{
    return list[bench_next() % n];
}

#define PICK(list) bench_pick(list, sizeof list / sizeof list[0])

/* Prose, code, numbers, and some Cyrillic, CJK, accented Latin and emoji. */
static void bench_text(buf *b)
{
    static const char *const words[] = {
        "the", "model", "plans", "a", "route", "through", "world", "and", "it", "learns",
        "from", "what", "happens", "when", "agent", "acts", "Every", "action", "is", "program",
        "that", "runs", "in", "sandbox", "tokenizer", "merges", "pieces", "by", "rank",
    };
    static const char *const code[] = {
        "    if (x == 42) { return foo_bar(y); }\n", "for (int i = 0; i < n; i++)\n",
        "def main(argv):\n    print(f\"{argv[1]!r}\")\n", "#include <stdio.h>\n",
        "\tconst char *s = \"tab\\tseparated\";\n", "x = [1, 2, 3]  # a list\n",
    };
    static const char *const other[] = {
        "привет мир", "Съешь же ещё этих мягких французских булок", "東京都の天気は晴れです",
        "机器学习模型", "naïve café déjà vu", "Führer über Straße", "🚀 launch 🎉", "😀😃😄",
        "한국어 문장입니다", "Ελληνικά γράμματα",
    };
    static const char *const punct[] = { ".", ",", "!", "?", ";", ":", " -", "'s", "'re" };

    while (b->len < BENCH_TEXT_BYTES) {
        uint32_t kind = bench_next() % 10;
        if (kind < 6) {
            for (int i = 0, n = 4 + (int)(bench_next() % 12); i < n; i++)
                buf_printf(b, "%s%s", i ? " " : "", PICK(words));
            buf_printf(b, "%s ", PICK(punct));
        } else if (kind < 8) {
            buf_puts(b, PICK(code));
        } else if (kind < 9) {
            buf_printf(b, "%u.%02u %u ", bench_next() % 100000, bench_next() % 100,
                       bench_next() % 1000);
        } else {
            buf_printf(b, "%s ", PICK(other));
        }
        if (bench_next() % 8 == 0)
            buf_puts(b, bench_next() % 2 ? "\n\n" : "\n");
    }
}

static double bench_encode(tokenizer *tok, const buf *text, size_t *n_tokens)
{
    token_list ids = TOKEN_LIST_INIT;
    double s[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        augur_err err = { 0 };
        uint64_t t0 = time_mono_ns();
        ids.len = 0;
        if (tokenizer_encode(tok, text->data, text->len, 0, &ids, &err) != AUGUR_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    *n_tokens = ids.len;
    token_list_free(&ids);
    return bench_median(s, BENCH_ROUNDS);
}

static int bench_count_word(void *ctx, const char *piece, size_t n)
{
    (void)piece;
    (void)n;
    ++*(size_t *)ctx;
    return 0;
}

static double bench_split(tokenizer *tok, const buf *text, size_t *words)
{
    double s[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        uint64_t t0 = time_mono_ns();
        *words = 0;
        tokenizer_split(tok, text->data, text->len, bench_count_word, words, NULL);
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    return bench_median(s, BENCH_ROUNDS);
}

/* A pass that looks at every byte: count the bytes that begin a character. */
static double bench_scan(const buf *text, size_t *chars)
{
    double s[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        const unsigned char *p = (const unsigned char *)text->data;
        uint64_t t0 = time_mono_ns();
        size_t n = 0;
        for (size_t i = 0; i < text->len; i++)
            n += (p[i] & 0xC0) != 0x80;
        *chars = n;
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    return bench_median(s, BENCH_ROUNDS);
}

static tokenizer *bench_vocab(const char *fixtures, const char *name, gguf **g)
{
    augur_err err = { 0 };
    tokenizer *tok = NULL;
    char path[4096];

    snprintf(path, sizeof path, "%s/vocab/ggml-vocab-%s.gguf", fixtures, name);
    if (gguf_open(g, path, &err) != AUGUR_OK || tokenizer_new(&tok, *g, &err) != AUGUR_OK) {
        printf("  %-28s skipped: %s\n", name, err.msg);
        return NULL;
    }
    return tok;
}

static void bench_tokenizers(const char *fixtures, const buf *text)
{
    static const char *const vocabs[] = { "llama-spm", "gpt-2" };
    double mb = (double)text->len / 1e6, scan;
    size_t chars;

    scan = bench_scan(text, &chars);
    printf("tokenizer: encoding %.1f MB of mixed text (%zu characters), one thread, median of "
           "%d runs\n", mb, chars, BENCH_ROUNDS);
    printf("  %-28s %9.1f MB/s\n", "bare pass over the bytes", mb / scan);
    for (size_t v = 0; v < sizeof vocabs / sizeof vocabs[0]; v++) {
        gguf *g = NULL;
        tokenizer *tok = bench_vocab(fixtures, vocabs[v], &g);
        size_t n_tokens, words;
        char label[64];
        double enc;

        if (tok) {
            enc = bench_encode(tok, text, &n_tokens);
            snprintf(label, sizeof label, "%s (%s)", vocabs[v],
                     tokenizer_kind(tok) == TOKENIZER_SPM ? "SentencePiece" : "BPE");
            printf("  %-28s %9.2f MB/s   %zu tokens, %.2f bytes/token, %.4fx a bare pass\n",
                   label, mb / enc, n_tokens, (double)text->len / (double)n_tokens, scan / enc);
            if (tokenizer_kind(tok) == TOKENIZER_BPE) {
                double split = bench_split(tok, text, &words);
                printf("  %-28s %9.2f MB/s   %zu words: the split is %.0f%% of the encoding "
                       "time\n", "  its PCRE2 pre-split alone", mb / split, words,
                       100 * split / enc);
            }
        }
        tokenizer_free(tok);
        gguf_close(g);
    }
}

/* Seconds to run argv with stdout and stderr to /dev/null, median. */
static double bench_run(char *const argv[])
{
    double s[BENCH_INFO_ROUNDS];

    for (int r = 0; r < BENCH_INFO_ROUNDS; r++) {
        uint64_t t0 = time_mono_ns();
        int status;
        pid_t pid = fork();
        if (pid == 0) {
            int null = open("/dev/null", O_WRONLY);
            dup2(null, 1);
            dup2(null, 2);
            execv(argv[0], argv);
            _exit(127);
        }
        if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "bench: %s %s failed\n", argv[0], argv[1]);
            exit(1);
        }
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    return bench_median(s, BENCH_INFO_ROUNDS);
}

/* The largest .gguf under dir, into path. */
static int bench_largest(const char *dir, char *path, size_t size, off_t *bytes)
{
    struct dirent *e;
    DIR *d = opendir(dir);

    *bytes = -1;
    while (d && (e = readdir(d))) {
        char p[4096 + 512];
        struct stat st;
        size_t len = strlen(e->d_name);
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".gguf") == 0 && stat(p, &st) == 0 &&
            st.st_size > *bytes) {
            *bytes = st.st_size;
            snprintf(path, size, "%s", p);
        }
    }
    if (d)
        closedir(d);
    return *bytes >= 0 ? 0 : -1;
}

static double bench_read(const char *path)
{
    double s[BENCH_INFO_ROUNDS];

    for (int r = 0; r < BENCH_INFO_ROUNDS; r++) {
        augur_err err = { 0 };
        uint64_t t0 = time_mono_ns();
        char *data;
        size_t len;
        if (file_read(path, (size_t)1 << 34, &data, &len, &err) != AUGUR_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        free(data);
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    return bench_median(s, BENCH_INFO_ROUNDS);
}

static void bench_info(const char *fixtures, const char *augur)
{
    char dir[4096], path[4096 + 512];
    off_t bytes;
    double info, start, rd;

    snprintf(dir, sizeof dir, "%s/gguf", fixtures);
    if (bench_largest(dir, path, sizeof path, &bytes) != 0 || access(augur, X_OK) != 0) {
        printf("model info: skipped (no .gguf in %s, or no %s)\n", dir, augur);
        return;
    }
    info = bench_run((char *const[]){ (char *)augur, "model", "info", path, NULL });
    start = bench_run((char *const[]){ (char *)augur, "--version", NULL });
    rd = bench_read(path);
    printf("model info: %s (%.1f MB, the largest fixture), median of %d runs\n", path,
           (double)bytes / 1e6, BENCH_INFO_ROUNDS);
    printf("  %-28s %9.2f ms\n", "augur model info", info * 1e3);
    printf("  %-28s %9.2f ms   (starting the program: info takes %.2f ms more)\n",
           "augur --version", start * 1e3, (info - start) * 1e3);
    printf("  %-28s %9.2f ms   (info maps the file and reads only its header)\n",
           "reading the file whole", rd * 1e3);
}

int main(int argc, char **argv)
{
    const char *fixtures = getenv("AUGUR_FIXTURES");
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    char augur[4096], copy[4096];
    buf text = BUF_INIT;

    if (!fixtures || !*fixtures)
        fixtures = "../shared/fixtures";
    rng_seed(&bench_rng, argc > 2 ? strtoull(argv[2], NULL, 10) : 1);
    snprintf(copy, sizeof copy, "%s", dir);
    snprintf(augur, sizeof augur, "%s/augur", dirname(copy));
    bench_text(&text);
    bench_tokenizers(fixtures, &text);
    bench_info(fixtures, augur);
    buf_free(&text);
    return 0;
}
