/* test_tpool.c — the engine's thread pool: every item of every loop done once, by the
** loop it belongs to, however late a worker wakes. */
#include "test.h"

#include "model/tpool.h"

#include <stdatomic.h>
#include <string.h>

enum { LOOPS = 200000, MAX_ITEMS = 64 };

typedef struct loop_ctx {
    int        magic;
    atomic_int hits[MAX_ITEMS];
} loop_ctx;

static void count_items(void *ctx, int lo, int hi, int thread)
{
    loop_ctx *c = ctx;

    (void)thread;
    for (int i = lo; i < hi; i++)
        atomic_fetch_add(&c->hits[i], c->magic);
}

/* Loops of changing sizes over two contexts in turn: a worker that claimed an item
** under the previous loop's generation would count into the wrong context, or an
** item twice. */
static void test_each_item_once(void **state)
{
    static loop_ctx ctx[2];
    augur_err err = { 0 };
    tpool *p;

    (void)state;
    assert_int_equal(tpool_new(&p, 3, &err), AUGUR_OK);
    ctx[0].magic = 1;
    ctx[1].magic = 1000;
    for (int loop = 0; loop < LOOPS; loop++) {
        loop_ctx *c = &ctx[loop & 1];
        int n = 8 + loop % (MAX_ITEMS - 8);
        for (int i = 0; i < MAX_ITEMS; i++)
            atomic_store(&c->hits[i], 0);
        tpool_for(p, n, 1 + loop % 3, count_items, c);
        for (int i = 0; i < MAX_ITEMS; i++)
            if (atomic_load(&c->hits[i]) != (i < n ? c->magic : 0))
                fail_msg("loop %d of %d items: item %d counted %d", loop, n, i,
                         atomic_load(&c->hits[i]));
    }
    tpool_free(p);
}

typedef struct piece_ctx {
    atomic_int calls, first;
} piece_ctx;

static void count_pieces(void *ctx, int lo, int hi, int thread)
{
    piece_ctx *c = ctx;

    (void)thread;
    if (lo == 0)
        atomic_store(&c->first, hi);
    atomic_fetch_add(&c->calls, 1);
}

/* A loop of 4096 items on two threads with chunk 1 is read in long runs: the first
** thread's first piece is half its part, and there are a few dozen pieces in all
** rather than 4096. */
static void test_long_pieces(void **state)
{
    piece_ctx c;
    augur_err err = { 0 };
    tpool *p;

    (void)state;
    assert_int_equal(tpool_new(&p, 2, &err), AUGUR_OK);
    for (int loop = 0; loop < 100; loop++) {
        atomic_store(&c.calls, 0);
        tpool_for(p, 4096, 1, count_pieces, &c);
        assert_int_equal(atomic_load(&c.first), 1024);
        assert_in_range(atomic_load(&c.calls), 4, 64);
    }
    tpool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_item_once),
        cmocka_unit_test(test_long_pieces),
    };
    return cmocka_run_group_tests_name("tpool", tests, NULL, NULL);
}
