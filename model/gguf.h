/*
** gguf.h — GGUF model files: a reader over a memory mapping, and a writer.
**
**     gguf *g;
**     if (gguf_open(&g, "model.gguf", &err) != AUGUR_OK)
**         puts(err.msg);              // "model.gguf: tensor 'blk.0.attn_q.weight': ..."
**     const gguf_value *v = gguf_find(g, "general.architecture");
**     const gguf_tensor *t = gguf_tensor_find(g, "token_embd.weight");
**     use(t->data, t->size);          // points into the mapping: no copy
**     gguf_close(g);
**
** Everything the file says is checked against the file before it is used: every
** count, length, dimension, offset and size, overflow included. A file that fails
** a check is refused whole with a message naming what is wrong and where, so a
** reader that opened a file may trust everything it hands out. Values and tensors
** belong to their gguf and live until gguf_close. Strings in a GGUF file are not
** NUL-terminated: they come as a pointer and a length.
**
** The writer builds a file in memory order (header, metadata, tensor table, padded
** tensor data) and writes it in one pass.
*/
#ifndef AUGUR_GGUF_H
#define AUGUR_GGUF_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* Metadata value types, numbered as in the file. */
enum gguf_type {
    GGUF_TYPE_UINT8   = 0,
    GGUF_TYPE_INT8    = 1,
    GGUF_TYPE_UINT16  = 2,
    GGUF_TYPE_INT16   = 3,
    GGUF_TYPE_UINT32  = 4,
    GGUF_TYPE_INT32   = 5,
    GGUF_TYPE_FLOAT32 = 6,
    GGUF_TYPE_BOOL    = 7,
    GGUF_TYPE_STRING  = 8,
    GGUF_TYPE_ARRAY   = 9,
    GGUF_TYPE_UINT64  = 10,
    GGUF_TYPE_INT64   = 11,
    GGUF_TYPE_FLOAT64 = 12,
    GGUF_TYPE_COUNT
};

/* Tensor element types, numbered as in ggml. Numbers ggml retired are absent. */
enum ggml_type {
    GGML_TYPE_F32     = 0,
    GGML_TYPE_F16     = 1,
    GGML_TYPE_Q4_0    = 2,
    GGML_TYPE_Q4_1    = 3,
    GGML_TYPE_Q5_0    = 6,
    GGML_TYPE_Q5_1    = 7,
    GGML_TYPE_Q8_0    = 8,
    GGML_TYPE_Q8_1    = 9,
    GGML_TYPE_Q2_K    = 10,
    GGML_TYPE_Q3_K    = 11,
    GGML_TYPE_Q4_K    = 12,
    GGML_TYPE_Q5_K    = 13,
    GGML_TYPE_Q6_K    = 14,
    GGML_TYPE_Q8_K    = 15,
    GGML_TYPE_IQ2_XXS = 16,
    GGML_TYPE_IQ2_XS  = 17,
    GGML_TYPE_IQ3_XXS = 18,
    GGML_TYPE_IQ1_S   = 19,
    GGML_TYPE_IQ4_NL  = 20,
    GGML_TYPE_IQ3_S   = 21,
    GGML_TYPE_IQ2_S   = 22,
    GGML_TYPE_IQ4_XS  = 23,
    GGML_TYPE_I8      = 24,
    GGML_TYPE_I16     = 25,
    GGML_TYPE_I32     = 26,
    GGML_TYPE_I64     = 27,
    GGML_TYPE_F64     = 28,
    GGML_TYPE_IQ1_M   = 29,
    GGML_TYPE_BF16    = 30,
    GGML_TYPE_TQ1_0   = 34,
    GGML_TYPE_TQ2_0   = 35,
    GGML_TYPE_MXFP4   = 39,
    GGML_TYPE_COUNT
};

/* How a tensor type is stored: rows are cut into blocks of block_size elements,
** each type_size bytes. name is NULL for a number that names no type. */
typedef struct ggml_type_info {
    const char *name;         /* "q4_K", as ggml spells it */
    uint32_t    block_size;   /* elements per block */
    uint32_t    type_size;    /* bytes per block */
} ggml_type_info;

/* The row of the table for type (all zero for an unknown number). */
const ggml_type_info *ggml_type_get(uint32_t type);

/* Bytes that n elements of type take (n a multiple of its block size); 0 for an
** unknown type or a count that is not a whole number of blocks. */
uint64_t ggml_type_bytes(uint32_t type, uint64_t n);

enum { GGUF_MAX_DIMS = 4, GGUF_NAME_MAX = 64, GGUF_DEFAULT_ALIGNMENT = 32,
       GGUF_MAX_DEPTH = 8 };

typedef struct gguf gguf;
typedef struct gguf_value gguf_value;

typedef struct gguf_str {
    const char *ptr;   /* not NUL-terminated */
    size_t      len;
} gguf_str;

typedef struct gguf_tensor {
    const char *name;                /* NUL-terminated copy */
    uint32_t    n_dims;
    uint64_t    ne[GGUF_MAX_DIMS];   /* ne[0] is the contiguous row; unused dims are 1 */
    uint32_t    type;                /* enum ggml_type */
    uint64_t    n_elements;
    uint64_t    offset;              /* from the start of the data section */
    uint64_t    size;                /* bytes */
    const void *data;                /* into the mapping (or the caller's memory) */
} gguf_tensor;

/* Open and check the file at path; it stays mapped until gguf_close. */
int  gguf_open(gguf **out, const char *path, augur_err *err);

/* The same over data[len] in memory, which the caller keeps alive and unchanged
** until gguf_close; name is what errors call it. */
int  gguf_open_memory(gguf **out, const void *data, size_t len, const char *name, augur_err *err);

void gguf_close(gguf *g);

uint32_t gguf_version(const gguf *g);
size_t   gguf_alignment(const gguf *g);
uint64_t gguf_file_size(const gguf *g);
uint64_t gguf_data_offset(const gguf *g);   /* where the data section begins */

/* Metadata, in file order. */
size_t            gguf_kv_count(const gguf *g);
gguf_str          gguf_kv_key(const gguf *g, size_t i);
const gguf_value *gguf_kv_value(const gguf *g, size_t i);
const gguf_value *gguf_find(const gguf *g, const char *key);   /* NULL when absent */

/* The tensor table, in file order. */
size_t             gguf_tensor_count(const gguf *g);
const gguf_tensor *gguf_tensor_at(const gguf *g, size_t i);
const gguf_tensor *gguf_tensor_find(const gguf *g, const char *name);

/* Values. A scalar reads as any numeric kind its value fits: an integer or bool
** through gguf_get_int/uint (AUGUR_EINVAL when negative for uint, or out of
** range), a float through gguf_get_float (integers convert too). */
enum gguf_type gguf_value_type(const gguf_value *v);
const char    *gguf_type_name(uint32_t type);      /* "u32", "string", "array", ... */
int      gguf_get_int(const gguf_value *v, int64_t *out);
int      gguf_get_uint(const gguf_value *v, uint64_t *out);
int      gguf_get_float(const gguf_value *v, double *out);
int      gguf_get_bool(const gguf_value *v, int *out);
int      gguf_get_str(const gguf_value *v, gguf_str *out);

/* Arrays: the element type, the count, and the elements. Scalars of element i read
** as above through gguf_array_int/float; strings through gguf_array_str; nested
** arrays through gguf_array_at. gguf_array_data gives the packed little-endian
** elements of a scalar array as they lie in the file (not aligned). */
enum gguf_type    gguf_array_type(const gguf_value *v);
uint64_t          gguf_array_len(const gguf_value *v);
int               gguf_array_int(const gguf_value *v, uint64_t i, int64_t *out);
int               gguf_array_float(const gguf_value *v, uint64_t i, double *out);
gguf_str          gguf_array_str(const gguf_value *v, uint64_t i);
const gguf_value *gguf_array_at(const gguf_value *v, uint64_t i);
const void       *gguf_array_data(const gguf_value *v);

/* Shorthand for metadata the model code reads: key's value when it is present and
** of a numeric kind, else dflt. */
int64_t  gguf_find_int(const gguf *g, const char *key, int64_t dflt);
double   gguf_find_float(const gguf *g, const char *key, double dflt);
gguf_str gguf_find_str(const gguf *g, const char *key);   /* {NULL, 0} when absent */

/* ---- writing ---------------------------------------------------------------- */

typedef struct gguf_writer gguf_writer;

gguf_writer *gguf_writer_new(void);   /* NULL when out of memory */
void         gguf_writer_free(gguf_writer *w);

/* Metadata, in the order added; a key may be added once. A u32 "general.alignment"
** (a power of two) sets the alignment of the tensor data. */
int gguf_writer_add_uint(gguf_writer *w, const char *key, enum gguf_type type, uint64_t v,
                         augur_err *err);
int gguf_writer_add_int(gguf_writer *w, const char *key, enum gguf_type type, int64_t v,
                        augur_err *err);
int gguf_writer_add_float(gguf_writer *w, const char *key, enum gguf_type type, double v,
                          augur_err *err);
int gguf_writer_add_str(gguf_writer *w, const char *key, const char *s, size_t len,
                        augur_err *err);

/* An array of n elements of type: items is a C array of that type (uint32_t for
** u32, char for bool, const char * for strings, NUL-terminated). */
int gguf_writer_add_array(gguf_writer *w, const char *key, enum gguf_type type,
                          const void *items, size_t n, augur_err *err);

/* A copy of a value read from another file, nested arrays included. */
int gguf_writer_add_value(gguf_writer *w, const char *key, const gguf_value *v, augur_err *err);

/* A tensor with dims ne[0..n_dims-1]; data (ggml_type_bytes of it) is not copied
** and must stay valid until the file is written. */
int gguf_writer_add_tensor(gguf_writer *w, const char *name, enum ggml_type type,
                           uint32_t n_dims, const uint64_t *ne, const void *data,
                           augur_err *err);

/* A tensor whose data is made only when the file is written, one tensor at a time,
** for files larger than memory: fill(ctx, name, out, size) writes its size bytes
** and returns 0, or non-zero to fail the write. */
typedef int gguf_fill_fn(void *ctx, const char *name, void *out, uint64_t size);
int gguf_writer_add_tensor_fill(gguf_writer *w, const char *name, enum ggml_type type,
                                uint32_t n_dims, const uint64_t *ne, gguf_fill_fn *fill,
                                void *ctx, augur_err *err);

/* The whole file, appended to out; or written to path (through a temporary file
** renamed into place, so a reader never sees half a file). */
int gguf_writer_to_buf(const gguf_writer *w, buf *out, augur_err *err);
int gguf_writer_write(const gguf_writer *w, const char *path, augur_err *err);

#endif
