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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_item_once),
    };
    return cmocka_run_group_tests_name("tpool", tests, NULL, NULL);
}
