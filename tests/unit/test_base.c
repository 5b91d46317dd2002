/* test_base.c — the helpers in base/: buffers, arenas, files, paths, text, JSON, logs. */
#include "test.h"

#include "base/arena.h"
#include "base/db.h"
#include "base/err.h"
#include "base/file.h"
#include "base/json.h"
#include "base/log.h"
#include "base/text.h"
#include "base/time.h"
#include "base/xdg.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_buf(void **state)
{
    buf b = BUF_INIT;
    char *s;

    (void)state;
    assert_string_equal(buf_str(&b), "");
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%d,", i), AUGUR_OK);
    assert_int_equal(b.len, 3890);
    assert_int_equal(strncmp(b.data, "0,1,2,", 6), 0);
    assert_int_equal(buf_add(&b, "\0x", 2), AUGUR_OK);
    assert_int_equal(b.len, 3892);
    assert_int_equal(b.data[b.len], '\0');
    buf_truncate(&b, 2);
    assert_string_equal(buf_str(&b), "0,");
    s = buf_take(&b);
    assert_string_equal(s, "0,");
    assert_null(b.data);
    free(s);
    s = buf_take(&b);
    assert_string_equal(s, "");
    free(s);
    /* Failure is sticky: a buffer that cannot grow refuses every later append. */
    assert_int_equal(buf_reserve(&b, (size_t)-1), AUGUR_ENOMEM);
    assert_int_equal(buf_puts(&b, "x"), AUGUR_ENOMEM);
    assert_null(buf_take(&b));
    buf_free(&b);
}

static void test_buf_grow_array(void **state)
{
    struct { int a; double b; } *v = NULL;
    size_t cap = 0, n = 0;

    (void)state;
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(buf_grow_array(&v, &cap, n + 1, sizeof *v), AUGUR_OK);
        assert_true(cap > n);
        v[n].a = i;
        v[n++].b = i / 2.0;
    }
    for (int i = 0; i < 1000; i++)
        assert_true(v[i].a == i && v[i].b == i / 2.0);
    /* Asking for what it has changes nothing; a size that overflows is refused and the
    ** array kept whole. */
    size_t held = cap;
    assert_int_equal(buf_grow_array(&v, &cap, cap, sizeof *v), AUGUR_OK);
    assert_int_equal(cap, held);
    assert_int_equal(buf_grow_array(&v, &cap, (size_t)-1 / 4, sizeof *v), AUGUR_ENOMEM);
    assert_int_equal(cap, held);
    assert_int_equal(v[999].a, 999);
    free(v);
}

static void test_arena(void **state)
{
    arena *a = arena_new(64 * 1024);
    size_t held;
    char *p[100];

    (void)state;
    assert_non_null(a);
    for (int i = 0; i < 100; i++) {
        p[i] = arena_alloc(a, 100);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
        memset(p[i], i, 100);
    }
    for (int i = 0; i < 100; i++)
        assert_int_equal((unsigned char)p[i][99], i);
    assert_string_equal(arena_strndup(a, "abcdef", 3), "abc");
    held = arena_size(a);
    /* After a reset the same work takes no more memory. */
    for (int round = 0; round < 10; round++) {
        arena_reset(a);
        for (int i = 0; i < 100; i++)
            assert_non_null(arena_alloc(a, 100));
        assert_int_equal(arena_size(a), held);
    }
    /* The limit holds. */
    assert_null(arena_alloc(a, 128 * 1024));
    assert_null(arena_calloc(a, (size_t)-1 / 2, 4));
    assert_true(arena_size(a) <= 64 * 1024);
    arena_free(a);
}

static void test_file_read(void **state)
{
    char *dir = test_tmpdir(), *path = test_write(dir, "f", "hello\n"), *data;
    augur_err err = { 0 };
    size_t len;
    int fds[2];

    (void)state;
    assert_int_equal(file_read(path, 100, &data, &len, &err), AUGUR_OK);
    assert_int_equal(len, 6);
    assert_string_equal(data, "hello\n");
    free(data);
    assert_int_equal(file_read(path, 6, &data, &len, &err), AUGUR_OK);
    free(data);
    assert_int_equal(file_read(path, 5, &data, &len, &err), AUGUR_ELIMIT);
    assert_null(data);
    assert_contains(err.msg, "larger than the limit of 5 bytes");
    assert_int_equal(file_read(dir, 5, &data, &len, &err), AUGUR_EIO);
    assert_contains(err.msg, "is a directory");
    /* A pipe has no size ahead of time. */
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "piped", 5), 5);
    close(fds[1]);
    assert_int_equal(file_read_fd(fds[0], "pipe", 100, &data, &len, &err), AUGUR_OK);
    close(fds[0]);
    assert_int_equal(len, 5);
    assert_string_equal(data, "piped");
    free(data);
    free(path);
    test_rmtree(dir);
    free(dir);
}

static void test_file_write_atomic(void **state)
{
    char *dir = test_tmpdir(), path[4096], *data;
    augur_err err = { 0 };
    struct stat st;
    size_t len;

    (void)state;
    snprintf(path, sizeof path, "%s/sub/dir/out.txt", dir);
    assert_int_equal(file_write_atomic(path, "x", 1, &err), AUGUR_EIO);
    snprintf(path, sizeof path, "%s/sub/dir", dir);
    assert_int_equal(file_mkdirs(path, &err), AUGUR_OK);
    assert_int_equal(file_mkdirs(path, &err), AUGUR_OK);
    snprintf(path, sizeof path, "%s/sub/dir/out.txt", dir);
    assert_int_equal(file_write_atomic(path, "first", 5, &err), AUGUR_OK);
    assert_int_equal(chmod(path, 0600), 0);
    assert_int_equal(file_write_atomic(path, "second", 6, &err), AUGUR_OK);
    assert_int_equal(file_read(path, 100, &data, &len, &err), AUGUR_OK);
    assert_string_equal(data, "second");
    free(data);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    /* No temporary file is left beside it. */
    snprintf(path, sizeof path, "%s/sub/dir", dir);
    DIR *d = opendir(path);
    struct dirent *e;
    int entries = 0;
    assert_non_null(d);
    while ((e = readdir(d)))
        entries += e->d_name[0] != '.';
    closedir(d);
    assert_int_equal(entries, 1);
    snprintf(path, sizeof path, "%s/sub/dir/out.txt/below", dir);
    assert_int_equal(file_mkdirs(path, &err), AUGUR_EIO);
    assert_contains(err.msg, "cannot create directory");
    test_rmtree(dir);
    free(dir);
}

static void test_xdg(void **state)
{
    buf b = BUF_INIT;
    augur_err err = { 0 };
    char *home = getenv("HOME") ? strdup(getenv("HOME")) : NULL;

    (void)state;
    setenv("XDG_DATA_HOME", "/data/x", 1);
    assert_int_equal(xdg_path(XDG_DATA, "library.db", &b, &err), AUGUR_OK);
    assert_string_equal(buf_str(&b), "/data/x/augur/library.db");
    buf_clear(&b);
    /* A relative value is ignored, as the specification says. */
    setenv("XDG_DATA_HOME", "relative", 1);
    setenv("HOME", "/home/u", 1);
    assert_int_equal(xdg_path(XDG_DATA, NULL, &b, &err), AUGUR_OK);
    assert_string_equal(buf_str(&b), "/home/u/.local/share/augur");
    buf_clear(&b);
    unsetenv("XDG_CONFIG_HOME");
    assert_int_equal(xdg_path(XDG_CONFIG, "agent.toml", &b, &err), AUGUR_OK);
    assert_string_equal(buf_str(&b), "/home/u/.config/augur/agent.toml");
    unsetenv("XDG_DATA_HOME");
    if (home)
        setenv("HOME", home, 1);
    free(home);
    buf_free(&b);
}

static void test_text_distance(void **state)
{
    (void)state;
    assert_int_equal(text_distance("level", "level", 5), 0);
    assert_int_equal(text_distance("levle", "level", 5), 1);   /* a swap is one edit */
    assert_int_equal(text_distance("lvl", "level", 5), 2);
    assert_int_equal(text_distance("", "abc", 5), 3);
    assert_int_equal(text_distance("kitten", "sitting", 5), 3);
    assert_int_equal(text_distance("a", "abcdefgh", 3), 4);      /* past the limit */
    assert_true(text_is_close("levle", 1));
    assert_false(text_is_close("ab", 2));
    assert_false(text_is_close("zzzzzzzz", 8));
}

static void test_json(void **state)
{
    augur_err err = { 0 };
    buf b = BUF_INIT;
    cJSON *doc;

    (void)state;
    doc = json_parse("{\"a\": [1, 2]}\n ", 15, "x.json", &err);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "a")), 2);
    cJSON_Delete(doc);
    assert_null(json_parse("{\"a\":\n  [1,, 2]}", 16, "x.json", &err));
    assert_string_equal(err.msg, "x.json:2:6: invalid JSON");
    assert_null(json_parse("{} {}", 5, "y.json", &err));
    assert_string_equal(err.msg, "y.json:1:4: unexpected text after the JSON value");
    json_quote(&b, "a\"\\\n\x01\0\xc3\xa9", 8);
    assert_string_equal(buf_str(&b), "\"a\\\"\\\\\\n\\u0001\\u0000\xc3\xa9\"");
    buf_free(&b);
}

/* The canonical text of the JSON document text. */
static char *canonical(const char *text)
{
    cJSON *doc = cJSON_Parse(text);
    buf b = BUF_INIT;

    if (!doc || json_canonical(&b, doc) != AUGUR_OK)
        fail_msg("cannot make %s canonical", text);
    cJSON_Delete(doc);
    return buf_take(&b);
}

static void test_json_canonical(void **state)
{
    static const char *const cases[][2] = {
        { "{ \"b\" : 1, \"a\" : [ true, false, null ] }", "{\"a\":[true,false,null],\"b\":1}" },
        { "{\"z\": {\"y\": 1, \"x\": {\"b\": 2, \"a\": 3}}, \"\u00e9\": 0, \"B\": 0}",
          "{\"B\":0,\"z\":{\"x\":{\"a\":3,\"b\":2},\"y\":1},\"\xc3\xa9\":0}" },
        { "[0.1, 1.5, -0.0, 100, 1e2, 12345678901234567, 1e300, 2.5e-8, -7]",
          "[0.1,1.5,0,100,100,12345678901234568,1e+300,2.5e-08,-7]" },
        { "\"tab\\there \\u0041\"", "\"tab\\there A\"" },
        { "{\"k\": 1, \"k\": 2}", "{\"k\":1,\"k\":2}" },
        { "[]", "[]" },
        { "{}", "{}" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = canonical(cases[i][0]);
        assert_string_equal(got, cases[i][1]);
        free(got);
    }
    {
        /* Built in two orders, the same text. */
        cJSON *a = cJSON_CreateObject(), *b = cJSON_CreateObject();
        buf x = BUF_INIT, y = BUF_INIT;
        cJSON_AddNumberToObject(a, "n", 3.25);
        cJSON_AddStringToObject(a, "s", "x");
        cJSON_AddStringToObject(b, "s", "x");
        cJSON_AddNumberToObject(b, "n", 3.25);
        json_canonical(&x, a);
        json_canonical(&y, b);
        assert_string_equal(buf_str(&x), buf_str(&y));
        assert_string_equal(buf_str(&x), "{\"n\":3.25,\"s\":\"x\"}");
        cJSON_AddNumberToObject(a, "inf", 1.0 / 0.0);
        buf_clear(&x);
        json_canonical(&x, a);
        assert_string_equal(buf_str(&x), "{\"inf\":null,\"n\":3.25,\"s\":\"x\"}");
        cJSON_Delete(a);
        cJSON_Delete(b);
        buf_free(&x);
        buf_free(&y);
    }
}

static void test_err(void **state)
{
    augur_err e = { 0 };

    (void)state;
    assert_int_equal(augur_err_set(&e, AUGUR_EIO, "read %s", "x"), AUGUR_EIO);
    augur_err_prefix(&e, "%s: ", "file");
    assert_string_equal(e.msg, "file: read x");
    assert_int_equal(e.code, AUGUR_EIO);
    assert_int_equal(augur_err_set(NULL, AUGUR_EINVAL, "ignored"), AUGUR_EINVAL);
    assert_string_equal(augur_errstr(AUGUR_ENOMEM), "out of memory");
    assert_string_equal(augur_errstr(12345), "unknown error");
    augur_err_clear(&e);
    assert_int_equal(e.code, AUGUR_OK);
    assert_string_equal(e.msg, "");
}

static void test_log_levels(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("DEBUG"), LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("off"), LOG_LEVEL_OFF);
    assert_int_equal(log_level_parse("loud"), -1);
    setenv("AUGUR_LOG", "error", 1);
    assert_int_equal(log_init(), 0);
    assert_int_equal(log_get_level(), LOG_LEVEL_ERROR);
    setenv("AUGUR_LOG", "loud", 1);
    assert_int_equal(log_init(), -1);
    assert_int_equal(log_get_level(), LOG_LEVEL_ERROR);
    unsetenv("AUGUR_LOG");
    log_set_level(LOG_LEVEL_WARN);
    assert_string_equal(log_level_name(LOG_LEVEL_INFO), "info");
}

/* What log_msg writes on stderr at the current level. */
static void logged(buf *out, enum log_level level, const char *msg)
{
    int fds[2], saved = dup(2);
    char chunk[256];
    ssize_t n;

    assert_int_equal(pipe(fds), 0);
    dup2(fds[1], 2);
    close(fds[1]);
    log_msg(level, "%s", msg);
    dup2(saved, 2);
    close(saved);
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0)
        buf_add(out, chunk, (size_t)n);
    close(fds[0]);
}

static void test_log_output(void **state)
{
    buf out = BUF_INIT;

    (void)state;
    log_set_level(LOG_LEVEL_WARN);
    logged(&out, LOG_LEVEL_INFO, "quiet");
    assert_string_equal(buf_str(&out), "");
    logged(&out, LOG_LEVEL_ERROR, "loud");
    assert_string_equal(buf_str(&out), "augur: error: loud\n");
    buf_free(&out);
}

static void test_clock(void **state)
{
    uint64_t a = time_mono_ns(), b;

    (void)state;
    usleep(2000);
    b = time_mono_ns();
    assert_true(b > a && b - a >= 2000000u);
    assert_true(time_mono_us() >= b / 1000u);
}

static void *db_hold_write(void *arg)
{
    sqlite3 *db = arg;

    usleep(200000);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    return NULL;
}

static const char *db_mode(sqlite3 *db)
{
    static char mode[16];
    sqlite3_stmt *st;

    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(mode, sizeof mode, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return mode;
}

/* While another connection is about to write, SQLite refuses the switch to write-ahead
** logging without calling the busy handler: db_wal waits for the writer, within its
** timeout. */
static void test_db_wal(void **state)
{
    char *dir = test_tmpdir(), path[4096];
    sqlite3 *writer, *db;
    pthread_t t;
    uint64_t start;

    (void)state;
    snprintf(path, sizeof path, "%s/t.db", dir);
    assert_int_equal(sqlite3_open(path, &writer), SQLITE_OK);
    assert_int_equal(sqlite3_exec(writer, "CREATE TABLE t(x); BEGIN IMMEDIATE;"
                                          " INSERT INTO t VALUES (1);", NULL, NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    start = time_mono_ns();
    assert_int_equal(db_wal(db, 50) & 0xff, SQLITE_BUSY);
    assert_true(time_mono_ns() - start >= 50000000u);
    assert_string_equal(db_mode(db), "delete");

    assert_int_equal(pthread_create(&t, NULL, db_hold_write, writer), 0);
    assert_int_equal(db_wal(db, 10000), SQLITE_OK);
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_string_equal(db_mode(db), "wal");
    sqlite3_close(db);
    sqlite3_close(writer);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf),
        cmocka_unit_test(test_buf_grow_array),
        cmocka_unit_test(test_arena),
        cmocka_unit_test(test_file_read),
        cmocka_unit_test(test_file_write_atomic),
        cmocka_unit_test(test_xdg),
        cmocka_unit_test(test_text_distance),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_json_canonical),
        cmocka_unit_test(test_err),
        cmocka_unit_test(test_log_levels),
        cmocka_unit_test(test_log_output),
        cmocka_unit_test(test_clock),
        cmocka_unit_test(test_db_wal),
    };
    return cmocka_run_group_tests_name("base", tests, NULL, NULL);
}
