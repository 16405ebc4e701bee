package io.kvstore.config.store;

import static io.kvstore.config.store.TopologyTest.group;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.testing.Await;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One read per change: each read of {@link TopologyWatch} leaves the watch that tells of the next change. */
class TopologyWatchTest {

    private TestingServer zk;
    private ClusterStore store;
    private final AtomicInteger events = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        zk = new TestingServer();
        store = ClusterStore.connect(new ZkSettings(zk.getConnectString(), 10_000, 5_000, 2, null));
    }

    @AfterEach
    void stop() throws Exception {
        store.close();
        zk.close();
    }

    private static Topology shop() {
        return Topology.create("shop", ClusterMode.CACHE, List.of(group("g1", 7001), group("g2", 7002)));
    }

    private Topology moved(Topology t) {
        int slot = (int) t.epoch();
        return t.withSlotsAssigned(List.of(new SlotRange(slot, slot, t.owner(slot).equals("g1") ? "g2" : "g1")));
    }

    @Test
    void eachReadArmsTheWatchForTheNextChange() {
        store.create(shop());
        TopologyWatch watch = new TopologyWatch(store.client(), "shop", events::incrementAndGet);
        assertEquals(0, watch.read().version());
        assertEquals(0, watch.read().version()); // read again with the watch armed: still one watch

        store.update("shop", this::moved);
        Await.until("the watch to fire", Duration.ofSeconds(10), () -> events.get() >= 1);
        Versioned<byte[]> second = watch.read();
        assertEquals(1, second.version());
        assertEquals(2, TopologyCodec.decodeTopology("shop", second.value()).epoch());

        store.update("shop", this::moved);
        Await.until("the re-armed watch to fire", Duration.ofSeconds(10), () -> events.get() >= 2);
        assertEquals(2, watch.read().version());
        assertEquals(2, events.get(), "one event per change, though the first version was read twice");
    }

    @Test
    void aClusterNotThereYetIsWatchedForItsCreation() {
        TopologyWatch watch = new TopologyWatch(store.client(), "shop", events::incrementAndGet);
        assertThrows(StoreException.NotFound.class, watch::read);
        store.create(shop());
        Await.until("the creation to fire the watch", Duration.ofSeconds(10), () -> events.get() >= 1);
        assertEquals(0, watch.read().version());
    }
}
