/* test_gguf.c — the GGUF reader on files the writer made and on hand-made broken ones. */
#include "test.h"

#include "model/gguf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- building files by hand ------------------------------------------------ */

static void put(buf *b, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        buf_putc(b, (int)(unsigned char)(v >> (8 * i)));
}

static void put_str(buf *b, const char *s)
{
    put(b, strlen(s), 8);
    buf_puts(b, s);
}

static void put_header(buf *b, uint32_t version, uint64_t n_tensors, uint64_t n_kv)
{
    buf_add(b, "GGUF", 4);
    put(b, version, 4);
    put(b, n_tensors, 8);
    put(b, n_kv, 8);
}

/* One tensor entry: name, dims, type, offset. */
static void put_tensor(buf *b, const char *name, uint32_t n_dims, const uint64_t *ne,
                       uint32_t type, uint64_t offset)
{
    put_str(b, name);
    put(b, n_dims, 4);
    for (uint32_t d = 0; d < n_dims; d++)
        put(b, ne[d], 8);
    put(b, type, 4);
    put(b, offset, 8);
}

static void pad_to(buf *b, size_t alignment)
{
    while (b->len % alignment)
        buf_putc(b, 0);
}

/* The message for a file that must be refused. */
static const char *refused(const buf *b)
{
    static augur_err err;
    gguf *g = (gguf *)1;

    memset(&err, 0, sizeof err);
    assert_int_not_equal(gguf_open_memory(&g, b->data, b->len, "bad.gguf", &err), AUGUR_OK);
    assert_null(g);
    assert_true(strncmp(err.msg, "bad.gguf: ", 10) == 0);
    return err.msg;
}

static gguf *accepted(const buf *b)
{
    augur_err err = { 0 };
    gguf *g = NULL;

    if (gguf_open_memory(&g, b->data, b->len, "good.gguf", &err) != AUGUR_OK)
        fail_msg("refused: %s", err.msg);
    return g;
}

/* ---- files from the writer ------------------------------------------------------ */

static void test_write_read_every_type(void **state)
{
    static const uint32_t u32s[] = { 1, 2, 0xFFFFFFFFu };
    static const float f32s[] = { 0.5f, -2.0f };
    static const char bools[] = { 1, 0, 1 };
    static const char *const strs[] = { "a", "", "\xe2\x96\x81the" };
    augur_err err = { 0 };
    gguf_writer *w = gguf_writer_new();
    char *dir = test_tmpdir(), path[512];
    float weights[64];
    uint8_t q4[18 * 4];
    gguf *g;
    gguf_str s;
    int64_t i64;
    uint64_t u64;
    double f;
    int b;

    (void)state;
    for (int i = 0; i < 64; i++)
        weights[i] = (float)i / 8;
    for (size_t i = 0; i < sizeof q4; i++)
        q4[i] = (uint8_t)i;
    assert_non_null(w);
    assert_int_equal(gguf_writer_add_uint(w, "general.alignment", GGUF_TYPE_UINT32, 64, &err), 0);
    assert_int_equal(gguf_writer_add_str(w, "general.architecture", "llama", 5, &err), 0);
    assert_int_equal(gguf_writer_add_uint(w, "u8", GGUF_TYPE_UINT8, 200, &err), 0);
    assert_int_equal(gguf_writer_add_int(w, "i8", GGUF_TYPE_INT8, -100, &err), 0);
    assert_int_equal(gguf_writer_add_uint(w, "u16", GGUF_TYPE_UINT16, 60000, &err), 0);
    assert_int_equal(gguf_writer_add_int(w, "i16", GGUF_TYPE_INT16, -30000, &err), 0);
    assert_int_equal(gguf_writer_add_int(w, "i32", GGUF_TYPE_INT32, -2000000000, &err), 0);
    assert_int_equal(gguf_writer_add_float(w, "f32", GGUF_TYPE_FLOAT32, 0.25, &err), 0);
    assert_int_equal(gguf_writer_add_uint(w, "bool", GGUF_TYPE_BOOL, 1, &err), 0);
    assert_int_equal(gguf_writer_add_uint(w, "u64", GGUF_TYPE_UINT64, UINT64_MAX, &err), 0);
    assert_int_equal(gguf_writer_add_int(w, "i64", GGUF_TYPE_INT64, INT64_MIN, &err), 0);
    assert_int_equal(gguf_writer_add_float(w, "f64", GGUF_TYPE_FLOAT64, 1e300, &err), 0);
    assert_int_equal(gguf_writer_add_array(w, "a.u32", GGUF_TYPE_UINT32, u32s, 3, &err), 0);
    assert_int_equal(gguf_writer_add_array(w, "a.f32", GGUF_TYPE_FLOAT32, f32s, 2, &err), 0);
    assert_int_equal(gguf_writer_add_array(w, "a.bool", GGUF_TYPE_BOOL, bools, 3, &err), 0);
    assert_int_equal(gguf_writer_add_array(w, "a.str", GGUF_TYPE_STRING, strs, 3, &err), 0);
    assert_int_equal(gguf_writer_add_tensor(w, "w", GGML_TYPE_F32, 2, (uint64_t[]){ 8, 8 },
                                            weights, &err), 0);
    assert_int_equal(gguf_writer_add_tensor(w, "q", GGML_TYPE_Q4_0, 3, (uint64_t[]){ 32, 2, 2 },
                                            q4, &err), 0);
    assert_int_equal(gguf_writer_add_uint(w, "u8", GGUF_TYPE_UINT8, 1, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "'u8' added twice");
    assert_int_equal(gguf_writer_add_tensor(w, "w", GGML_TYPE_F32, 1, (uint64_t[]){ 1 }, weights,
                                            &err), AUGUR_EINVAL);
    assert_contains(err.msg, "tensor 'w' added twice");
    assert_int_equal(gguf_writer_add_tensor(w, "bad", GGML_TYPE_Q8_0, 1, (uint64_t[]){ 33 }, q4,
                                            &err), AUGUR_EINVAL);
    assert_contains(err.msg, "whole blocks");
    snprintf(path, sizeof path, "%s/m.gguf", dir);
    assert_int_equal(gguf_writer_write(w, path, &err), AUGUR_OK);
    gguf_writer_free(w);

    if (gguf_open(&g, path, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(gguf_version(g), 3);
    assert_int_equal(gguf_alignment(g), 64);
    assert_int_equal(gguf_kv_count(g), 16);
    s = gguf_kv_key(g, 1);
    assert_int_equal(s.len, 20);
    assert_memory_equal(s.ptr, "general.architecture", 20);
    s = gguf_find_str(g, "general.architecture");
    assert_int_equal(s.len, 5);
    assert_memory_equal(s.ptr, "llama", 5);
    assert_int_equal(gguf_find_int(g, "u8", 0), 200);
    assert_int_equal(gguf_find_int(g, "i8", 0), -100);
    assert_int_equal(gguf_find_int(g, "u16", 0), 60000);
    assert_int_equal(gguf_find_int(g, "i16", 0), -30000);
    assert_int_equal(gguf_find_int(g, "i32", 0), -2000000000);
    assert_true(gguf_find_float(g, "f32", 0) == 0.25);
    assert_int_equal(gguf_get_bool(gguf_find(g, "bool"), &b), 0);
    assert_int_equal(b, 1);
    assert_int_equal(gguf_get_uint(gguf_find(g, "u64"), &u64), 0);
    assert_true(u64 == UINT64_MAX);
    assert_int_equal(gguf_get_int(gguf_find(g, "u64"), &i64), AUGUR_EINVAL);   /* too big */
    assert_int_equal(gguf_get_int(gguf_find(g, "i64"), &i64), 0);
    assert_true(i64 == INT64_MIN);
    assert_int_equal(gguf_get_uint(gguf_find(g, "i64"), &u64), AUGUR_EINVAL);  /* negative */
    assert_true(gguf_find_float(g, "f64", 0) == 1e300);
    assert_int_equal(gguf_get_str(gguf_find(g, "f64"), &s), AUGUR_EINVAL);
    assert_null(gguf_find(g, "absent"));
    assert_int_equal(gguf_find_int(g, "absent", 7), 7);

    const gguf_value *a = gguf_find(g, "a.u32");
    assert_int_equal(gguf_value_type(a), GGUF_TYPE_ARRAY);
    assert_int_equal(gguf_array_type(a), GGUF_TYPE_UINT32);
    assert_int_equal(gguf_array_len(a), 3);
    assert_int_equal(gguf_array_int(a, 2, &i64), 0);
    assert_int_equal(i64, 0xFFFFFFFFu);
    assert_int_equal(gguf_array_int(a, 3, &i64), AUGUR_EINVAL);
    assert_memory_equal(gguf_array_data(a), u32s, sizeof u32s);
    assert_int_equal(gguf_array_float(gguf_find(g, "a.f32"), 1, &f), 0);
    assert_true(f == -2.0);
    assert_int_equal(gguf_array_int(gguf_find(g, "a.bool"), 1, &i64), 0);
    assert_int_equal(i64, 0);
    a = gguf_find(g, "a.str");
    assert_int_equal(gguf_array_len(a), 3);
    assert_int_equal(gguf_array_str(a, 1).len, 0);
    assert_int_equal(gguf_array_str(a, 2).len, 6);
    assert_memory_equal(gguf_array_str(a, 2).ptr, "\xe2\x96\x81the", 6);
    assert_null(gguf_array_str(a, 3).ptr);

    assert_int_equal(gguf_tensor_count(g), 2);
    const gguf_tensor *t = gguf_tensor_find(g, "w");
    assert_non_null(t);
    assert_int_equal(t->n_dims, 2);
    assert_int_equal(t->ne[0], 8);
    assert_int_equal(t->ne[1], 8);
    assert_int_equal(t->ne[2], 1);
    assert_int_equal(t->n_elements, 64);
    assert_int_equal(t->size, 256);
    assert_int_equal((gguf_data_offset(g) + t->offset) % 64, 0);
    assert_memory_equal(t->data, weights, sizeof weights);
    t = gguf_tensor_find(g, "q");
    assert_int_equal(t->type, GGML_TYPE_Q4_0);
    assert_int_equal(t->size, 72);
    assert_int_equal(t->offset, 256);
    assert_memory_equal(t->data, q4, sizeof q4);
    assert_ptr_equal(gguf_tensor_at(g, 1), t);
    assert_null(gguf_tensor_find(g, "nope"));
    gguf_close(g);
    test_rmtree(dir);
    free(dir);
}

/* Arrays of arrays, read and then copied through the writer. */
static void test_nested_arrays(void **state)
{
    buf b = BUF_INIT, out = BUF_INIT;
    augur_err err = { 0 };
    gguf_writer *w;
    gguf *g, *g2;
    int64_t v;

    (void)state;
    put_header(&b, 3, 0, 1);
    put_str(&b, "nest");
    put(&b, GGUF_TYPE_ARRAY, 4);
    put(&b, GGUF_TYPE_ARRAY, 4);       /* an array of 2 arrays */
    put(&b, 2, 8);
    put(&b, GGUF_TYPE_INT16, 4);       /* [-1, 2] */
    put(&b, 2, 8);
    put(&b, (uint16_t)-1, 2);
    put(&b, 2, 2);
    put(&b, GGUF_TYPE_STRING, 4);      /* ["xy"] */
    put(&b, 1, 8);
    put_str(&b, "xy");
    g = accepted(&b);
    const gguf_value *nest = gguf_find(g, "nest");
    assert_int_equal(gguf_array_type(nest), GGUF_TYPE_ARRAY);
    assert_int_equal(gguf_array_len(nest), 2);
    assert_int_equal(gguf_array_int(gguf_array_at(nest, 0), 0, &v), 0);
    assert_int_equal(v, -1);
    assert_int_equal(gguf_array_str(gguf_array_at(nest, 1), 0).len, 2);
    assert_null(gguf_array_at(nest, 2));

    w = gguf_writer_new();
    assert_int_equal(gguf_writer_add_value(w, "nest", nest, &err), 0);
    assert_int_equal(gguf_writer_to_buf(w, &out, &err), 0);
    assert_int_equal(out.len, b.len);
    assert_memory_equal(out.data, b.data, b.len);
    g2 = accepted(&out);
    assert_int_equal(gguf_array_int(gguf_array_at(gguf_find(g2, "nest"), 0), 1, &v), 0);
    assert_int_equal(v, 2);
    gguf_close(g2);
    gguf_close(g);
    gguf_writer_free(w);
    buf_free(&b);
    buf_free(&out);
}

/* Every prefix of a valid file that ends before its last tensor's data does is
** refused with a message. */
static void test_every_truncation(void **state)
{
    static const char *const strs[] = { "one", "two" };
    float data[32] = { 0 };
    augur_err err = { 0 };
    gguf_writer *w = gguf_writer_new();
    buf file = BUF_INIT;

    (void)state;
    gguf_writer_add_str(w, "k", "v", 1, &err);
    gguf_writer_add_array(w, "s", GGUF_TYPE_STRING, strs, 2, &err);
    gguf_writer_add_tensor(w, "a", GGML_TYPE_F32, 1, (uint64_t[]){ 32 }, data, &err);
    gguf_writer_add_tensor(w, "b", GGML_TYPE_F16, 1, (uint64_t[]){ 8 }, data, &err);
    gguf *g;
    size_t end;

    assert_int_equal(gguf_writer_to_buf(w, &file, &err), 0);
    g = accepted(&file);
    end = gguf_data_offset(g) + gguf_tensor_at(g, 1)->offset + gguf_tensor_at(g, 1)->size;
    assert_int_equal(file.len, end + 16);      /* the last tensor is padded too */
    gguf_close(g);
    for (size_t n = 0; n < end; n++) {
        buf cut = BUF_INIT;
        buf_add(&cut, file.data, n);
        const char *msg = refused(&cut);
        assert_true(strlen(msg) > 12);
        buf_free(&cut);
    }
    buf_free(&file);
    gguf_writer_free(w);
}

/* ---- hand-made broken files --------------------------------------------------- */

static void test_bad_magic(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    buf_puts(&b, "GGML\x03\0\0\0");
    assert_contains(refused(&b), "not a GGUF file (bad magic");
    buf_free(&b);
}

static void test_bad_version(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 1, 0, 0);
    assert_contains(refused(&b), "GGUF version 1 is not supported");
    buf_clear(&b);
    put_header(&b, 4, 0, 0);
    assert_contains(refused(&b), "unsupported GGUF version 4");
    buf_clear(&b);
    put_header(&b, 0x03000000, 0, 0);
    assert_contains(refused(&b), "big-endian");
    buf_clear(&b);
    put_header(&b, 2, 0, 0);              /* version 2 has the same layout */
    gguf_close(accepted(&b));
    buf_free(&b);
}

static void test_truncated_header(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, 0);
    buf_truncate(&b, 10);
    assert_contains(refused(&b), "header (8 bytes at offset 8) runs past the end of the file "
                                 "(10 bytes)");
    buf_free(&b);
}

static void test_string_past_end(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, 1);
    put_str(&b, "general.name");
    put(&b, GGUF_TYPE_STRING, 4);
    put(&b, 1000, 8);
    buf_puts(&b, "short");
    assert_contains(refused(&b), "metadata entry 0 'general.name': string length 1000 at "
                                 "offset 48 runs past the end of the file (5 bytes left)");
    buf_clear(&b);
    put_header(&b, 3, 0, 1);
    put(&b, UINT64_MAX, 8);               /* a key length that overflows any sum */
    put(&b, 0, 8);
    assert_contains(refused(&b), "key length 18446744073709551615");
    buf_free(&b);
}

static void test_counts_past_end(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, UINT64_MAX / 2);
    assert_contains(refused(&b), "metadata count 9223372036854775807 is more than");
    buf_clear(&b);
    put_header(&b, 3, 1ull << 60, 0);
    assert_contains(refused(&b), "tensor count 1152921504606846976 is more than");
    buf_clear(&b);
    put_header(&b, 3, 0, 1);
    put_str(&b, "tokens");
    put(&b, GGUF_TYPE_ARRAY, 4);
    put(&b, GGUF_TYPE_STRING, 4);
    put(&b, 1ull << 62, 8);
    assert_contains(refused(&b), "array of 4611686018427387904 string elements");
    buf_free(&b);
}

static void test_unknown_types(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, 1);
    put_str(&b, "k");
    put(&b, 13, 4);
    put(&b, 0, 8);
    assert_contains(refused(&b), "metadata entry 0 'k': unknown value type 13 at offset 33");
    buf_clear(&b);
    put_header(&b, 3, 0, 1);
    put_str(&b, "k");
    put(&b, GGUF_TYPE_ARRAY, 4);
    put(&b, 0xFFFFFFFFu, 4);
    put(&b, 0, 8);
    assert_contains(refused(&b), "unknown array element type 4294967295");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 32 }, 4, 0);   /* 4 was q4_2, retired */
    pad_to(&b, 32);
    assert_contains(refused(&b), "tensor 0 't': unknown tensor type 4");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 32 }, 1000, 0);
    assert_contains(refused(&b), "unknown tensor type 1000");
    buf_free(&b);
}

static void test_absurd_dimensions(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 1, 0);
    put_str(&b, "t");
    put(&b, 0xFFFFFFFFu, 4);
    put(&b, 0, 8);
    put(&b, 0, 8);
    assert_contains(refused(&b), "tensor 0 't': 4294967295 dimensions (at most 4)");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 4, (uint64_t[]){ 1ull << 20, 1ull << 20, 1ull << 20, 1ull << 20 }, 0, 0);
    assert_contains(refused(&b), "the element count overflows");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ UINT64_MAX }, 0, 0);
    assert_contains(refused(&b), "dimension 0 is 18446744073709551615");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 2, (uint64_t[]){ 33, 1 }, GGML_TYPE_Q8_0, 0);
    assert_contains(refused(&b), "row length 33 is not a multiple of the q8_0 block size 32");
    buf_free(&b);
}

static void test_tensor_past_end(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "blk.0.w", 2, (uint64_t[]){ 4, 4 }, GGML_TYPE_F32, 0);
    pad_to(&b, 32);
    for (int i = 0; i < 63; i++)        /* 64 bytes are needed */
        buf_putc(&b, 0);
    assert_contains(refused(&b), "tensor 'blk.0.w': data of 64 bytes at offset 0 runs past the "
                                 "end of the data section (63 bytes from offset 96)");
    buf_putc(&b, 0);
    gguf_close(accepted(&b));
    buf_free(&b);
}

static void test_offset_overflow(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    /* offset + size wraps around to a small number. */
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 64 }, GGML_TYPE_F32, UINT64_MAX - 31);
    pad_to(&b, 32);
    for (int i = 0; i < 256; i++)
        buf_putc(&b, 0);
    assert_contains(refused(&b), "tensor 't': data of 256 bytes at offset 18446744073709551584 "
                                 "runs past the end");
    buf_clear(&b);
    put_header(&b, 3, 1, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 64 }, GGML_TYPE_F32, 16);
    assert_contains(refused(&b), "data offset 16 is not a multiple of the alignment 32");
    buf_clear(&b);
    /* Empty tensors, but a data section that would begin 1 GiB in. */
    put_header(&b, 3, 1, 1);
    put_str(&b, "general.alignment");
    put(&b, GGUF_TYPE_UINT32, 4);
    put(&b, 1u << 30, 4);
    put_tensor(&b, "t", 1, (uint64_t[]){ 0 }, GGML_TYPE_F32, 0);
    assert_contains(refused(&b), "the data section would begin at offset 1073741824 (alignment "
                                 "1073741824), past the end of the file (90 bytes)");
    buf_free(&b);
}

static void test_bad_metadata(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, 2);
    put_str(&b, "k");
    put(&b, GGUF_TYPE_UINT8, 4);
    put(&b, 1, 1);
    put_str(&b, "k");
    put(&b, GGUF_TYPE_UINT8, 4);
    put(&b, 2, 1);
    assert_contains(refused(&b), "metadata entry 1 'k': duplicate key");
    buf_clear(&b);
    put_header(&b, 3, 0, 1);
    put_str(&b, "general.alignment");
    put(&b, GGUF_TYPE_UINT32, 4);
    put(&b, 48, 4);
    assert_contains(refused(&b), "general.alignment 48 is not a power of two");
    buf_clear(&b);
    put_header(&b, 3, 0, 1);
    put_str(&b, "general.alignment");
    put(&b, GGUF_TYPE_UINT64, 4);
    put(&b, 64, 8);
    assert_contains(refused(&b), "general.alignment is a u64, not a u32");
    buf_clear(&b);
    put_header(&b, 3, 2, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 8 }, GGML_TYPE_F32, 0);
    put_tensor(&b, "t", 1, (uint64_t[]){ 8 }, GGML_TYPE_F32, 32);
    pad_to(&b, 32);
    for (int i = 0; i < 64; i++)
        buf_putc(&b, 0);
    assert_contains(refused(&b), "tensor 1 't': duplicate tensor name");
    buf_free(&b);
}

static void test_deep_nesting(void **state)
{
    buf b = BUF_INIT;

    (void)state;
    put_header(&b, 3, 0, 1);
    put_str(&b, "deep");
    put(&b, GGUF_TYPE_ARRAY, 4);
    for (int i = 0; i < 100; i++) {
        put(&b, GGUF_TYPE_ARRAY, 4);
        put(&b, 1, 8);
    }
    assert_contains(refused(&b), "arrays nested deeper than 8");
    buf_free(&b);
}

static void test_long_tensor_name(void **state)
{
    char name[100];
    buf b = BUF_INIT;

    (void)state;
    memset(name, 'x', 65);
    name[65] = '\0';
    put_header(&b, 3, 1, 0);
    put_tensor(&b, name, 1, (uint64_t[]){ 1 }, GGML_TYPE_F32, 0);
    assert_contains(refused(&b), "tensor 0: tensor name of 65 bytes at offset 24 (at most 64)");
    buf_free(&b);
}

static void test_open_errors(void **state)
{
    augur_err err = { 0 };
    char *dir = test_tmpdir();
    char *empty = test_write(dir, "empty.gguf", "");
    gguf *g;

    (void)state;
    assert_int_equal(gguf_open(&g, empty, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "empty.gguf: empty file");
    assert_int_equal(gguf_open(&g, dir, &err), AUGUR_EIO);
    assert_contains(err.msg, "is a directory");
    assert_int_equal(gguf_open(&g, "/nonexistent/x.gguf", &err), AUGUR_ENOTFOUND);
    assert_contains(err.msg, "/nonexistent/x.gguf: No such file");
    free(empty);
    test_rmtree(dir);
    free(dir);
}

static void test_type_table(void **state)
{
    (void)state;
    assert_string_equal(ggml_type_get(GGML_TYPE_Q4_K)->name, "q4_K");
    assert_int_equal(ggml_type_get(GGML_TYPE_Q4_K)->block_size, 256);
    assert_int_equal(ggml_type_get(GGML_TYPE_Q6_K)->type_size, 210);
    assert_int_equal(ggml_type_get(GGML_TYPE_Q5_0)->type_size, 22);
    assert_int_equal(ggml_type_get(GGML_TYPE_BF16)->type_size, 2);
    assert_null(ggml_type_get(5)->name);
    assert_null(ggml_type_get(12345)->name);
    assert_int_equal(ggml_type_bytes(GGML_TYPE_Q8_0, 64), 68);
    assert_int_equal(ggml_type_bytes(GGML_TYPE_Q8_0, 65), 0);
    assert_int_equal(ggml_type_bytes(GGML_TYPE_F32, UINT64_MAX / 2), 0);   /* overflows */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_write_read_every_type),
        cmocka_unit_test(test_nested_arrays),
        cmocka_unit_test(test_every_truncation),
        cmocka_unit_test(test_bad_magic),
        cmocka_unit_test(test_bad_version),
        cmocka_unit_test(test_truncated_header),
        cmocka_unit_test(test_string_past_end),
        cmocka_unit_test(test_counts_past_end),
        cmocka_unit_test(test_unknown_types),
        cmocka_unit_test(test_absurd_dimensions),
        cmocka_unit_test(test_tensor_past_end),
        cmocka_unit_test(test_offset_overflow),
        cmocka_unit_test(test_bad_metadata),
        cmocka_unit_test(test_deep_nesting),
        cmocka_unit_test(test_long_tensor_name),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_type_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
