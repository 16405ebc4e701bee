package io.kvstore.config.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;

/** The one compare-and-set retry loop ({@link StoreClient#retryCas}), without ZooKeeper. */
class StoreClientTest {

    @Test
    void aLostRaceIsTriedAgainUntilTheWriteLands() {
        AtomicInteger tries = new AtomicInteger();
        String written = StoreClient.retryCas("write /x", attempt -> {
            tries.incrementAndGet();
            if (attempt == 1) {
                throw new KeeperException.BadVersionException("/x");
            }
            if (attempt == 2) {
                throw new KeeperException.NodeExistsException("/x");
            }
            return attempt == 3 ? null : "done at " + attempt; // null: not yet, try again
        }, () -> new IllegalStateException("gave up"));
        assertEquals("done at 4", written);
        assertEquals(4, tries.get());
    }

    @Test
    void givesUpAfterTheLastAttempt() {
        AtomicInteger tries = new AtomicInteger();
        StoreException.Conflict gaveUp = new StoreException.Conflict("too many writers");
        StoreException.Conflict thrown = assertThrows(StoreException.Conflict.class, () -> StoreClient.retryCas("write /x",
                attempt -> {
                    tries.incrementAndGet();
                    throw new KeeperException.BadVersionException("/x");
                }, () -> gaveUp));
        assertSame(gaveUp, thrown);
        assertEquals(StoreClient.CAS_ATTEMPTS, tries.get());
    }

    @Test
    void otherFailuresStopAtOnce() {
        IllegalArgumentException refused = new IllegalArgumentException("refused by the change");
        assertSame(refused, assertThrows(IllegalArgumentException.class,
                () -> StoreClient.retryCas("write /x", attempt -> {
                    throw refused;
                }, () -> new IllegalStateException("gave up"))), "a runtime exception propagates unchanged");
        StoreException.Unavailable down = assertThrows(StoreException.Unavailable.class,
                () -> StoreClient.retryCas("write /x", attempt -> {
                    throw new IOException("connection lost");
                }, () -> new IllegalStateException("gave up")));
        assertTrue(down.getMessage().startsWith("cannot write /x: connection lost"), down.getMessage());
    }
}
