/*
** bench/toml.c — how fast augur reads TOML, beside two baselines measured in the
** same run on the same document: a plain pass over its bytes (the machine's limit
** for anything that reads every byte), and Python's tomllib (a peer parser), when
** python3 is there.
**
**     build/bench/toml [DIR] [SEED]     (make bench)
**
** The document is generated from SEED (default 1): the same seed, the same bytes.
*/
#include "base/buf.h"
#include "base/rng.h"
#include "base/file.h"
#include "base/time.h"
#include "base/toml.h"
#include "bench/bench.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BENCH_ROUNDS = 9, BENCH_TABLES = 20000 };

static rng bench_rng;

static uint32_t bench_next(void)
{
    return (uint32_t)(rng_next(&bench_rng) >> 32);
}

/* A configuration-like document: tables of strings, numbers, dates and arrays. */
static void bench_document(buf *doc)
{
    static const char *const words[] = { "alpha", "beta", "gamma", "delta", "epsilon", "zeta" };

    for (int t = 0; t < BENCH_TABLES; t++) {
        buf_printf(doc, "[section_%d.%s]\n", t, words[bench_next() % 6]);
        buf_printf(doc, "name = \"%s %u \\t escaped \\u00e9\"\n", words[bench_next() % 6], bench_next());
        buf_printf(doc, "count = %u\n", bench_next() % 100000);
        buf_printf(doc, "ratio = %u.%03u\n", bench_next() % 100, bench_next() % 1000);
        buf_printf(doc, "when = 2024-%02u-%02uT12:%02u:00Z\n", 1 + bench_next() % 12,
                   1 + bench_next() % 28, bench_next() % 60);
        buf_printf(doc, "tags = [\"%s\", \"%s\", %u]\n", words[bench_next() % 6],
                   words[bench_next() % 6], bench_next() % 10);
        buf_printf(doc, "point = { x = %u, y = %u }  # a comment\n\n", bench_next() % 640,
                   bench_next() % 480);
    }
}

/* Seconds per parse, median of BENCH_ROUNDS. */
static double bench_parse(const buf *doc)
{
    double s[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        augur_err err = { 0 };
        toml_doc *d;
        uint64_t t0 = time_mono_ns();
        if (toml_parse(doc->data, doc->len, "bench", &d, &err) != AUGUR_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            exit(1);
        }
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
        toml_free(d);
    }
    return bench_median(s, BENCH_ROUNDS);
}

/* Seconds per plain pass over every byte (counting newlines), median. */
static double bench_scan(const buf *doc, size_t *lines)
{
    double s[BENCH_ROUNDS];

    for (int r = 0; r < BENCH_ROUNDS; r++) {
        const char *p = doc->data, *end = doc->data + doc->len;
        uint64_t t0 = time_mono_ns();
        *lines = 0;
        while ((p = memchr(p, '\n', (size_t)(end - p)))) {
            ++*lines;
            p++;
        }
        s[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    return bench_median(s, BENCH_ROUNDS);
}

/* Seconds per tomllib.loads of the file, median, or a negative number without python3. */
static double bench_python(const char *path)
{
    char cmd[8192];
    double seconds = -1;
    FILE *f;

    snprintf(cmd, sizeof cmd,
             "python3 -c 'import sys, time, tomllib, statistics\n"
             "text = open(sys.argv[1], encoding=\"utf-8\").read()\n"
             "def once():\n"
             "    t = time.perf_counter(); tomllib.loads(text); return time.perf_counter() - t\n"
             "print(statistics.median(once() for _ in range(%d)))' '%s' 2>/dev/null",
             BENCH_ROUNDS / 2, path);
    f = popen(cmd, "r");
    if (!f)
        return -1;
    if (fscanf(f, "%lf", &seconds) != 1)
        seconds = -1;
    pclose(f);
    return seconds;
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    buf doc = BUF_INIT, path = BUF_INIT;
    augur_err err = { 0 };
    double parse, scan, py, mb;
    size_t lines;

    rng_seed(&bench_rng, argc > 2 ? strtoull(argv[2], NULL, 10) : 1);
    bench_document(&doc);
    mb = (double)doc.len / 1e6;
    buf_printf(&path, "%s/toml-bench.toml", dir);
    if (file_mkdirs(dir, &err) != AUGUR_OK ||
        file_write_atomic(buf_str(&path), doc.data, doc.len, &err) != AUGUR_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    parse = bench_parse(&doc);
    scan = bench_scan(&doc, &lines);
    py = bench_python(buf_str(&path));
    printf("toml: parsing a %.1f MB document of %zu lines (median of %d runs)\n", mb, lines,
           BENCH_ROUNDS);
    printf("  %-28s %9.1f MB/s\n", "augur toml_parse", mb / parse);
    printf("  %-28s %9.1f MB/s   augur parses at %.3fx the speed of a bare pass\n",
           "bare pass over the bytes", mb / scan, scan / parse);
    if (py > 0)
        printf("  %-28s %9.1f MB/s   augur is %.1fx as fast\n", "python3 tomllib", mb / py,
               py / parse);
    else
        printf("  %-28s %9s        (python3 with tomllib not found)\n", "python3 tomllib", "-");
    buf_free(&doc);
    buf_free(&path);
    return 0;
}
