package io.kvstore.admin.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The MIGRATE batch size: bounded by count, and cut by a slow batch in proportion to how slow. */
class BatchSizerTest {

    private static final long MS = 1_000_000;

    @Test
    void startsAtTheCountBoundAndKeepsItWhileBatchesAreFast() {
        BatchSizer b = new BatchSizer(500, 20 * MS);
        assertEquals(500, b.next());
        b.took(500, 2 * MS);
        assertEquals(500, b.next());
    }

    @Test
    void aSlowBatchCutsTheNextInProportionThenFastOnesGrowItBack() {
        BatchSizer b = new BatchSizer(500, 20 * MS);
        b.took(500, 100 * MS); // large values: 5x over the bound
        assertEquals(100, b.next());
        b.took(100, 1 * MS);
        assertEquals(125, b.next());
        b.took(125, 15 * MS); // within the bound but not fast: stays
        assertEquals(125, b.next());
        for (int i = 0; i < 20; i++) {
            b.took(b.next(), MS);
        }
        assertEquals(500, b.next());
    }

    @Test
    void aHugeKeyGoesAlone() {
        BatchSizer b = new BatchSizer(500, 20 * MS);
        b.took(500, 60_000 * MS);
        assertEquals(1, b.next());
        b.took(1, 1 * MS);
        assertEquals(2, b.next());
        b.took(1, 1 * MS); // a tail batch shorter than allowed says nothing about a full one: no growth
        assertEquals(2, b.next());
    }
}
