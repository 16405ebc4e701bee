package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StorePaths;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.TopologyCodec;
import io.kvstore.proxy.it.support.ProxyCluster;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** Whatever ZooKeeper holds, a proxy keeps its last good map and says what is wrong. */
class BadTopologyIntegrationTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    private void write(String json) throws Exception {
        f.admin.client().setData().forPath(StorePaths.topology("shop"), json.getBytes(StandardCharsets.UTF_8));
    }

    private void awaitError(ZkFixture.Proxy p, String part) {
        ZkFixture.await("the proxy to report '" + part + "' (status: " + p.control().status() + ")",
                () -> p.control().status().lastError() != null && p.control().status().lastError().contains(part));
        ZkFixture.await("the registration to carry '" + part + "'", () -> f.admin.proxies("shop").stream()
                .anyMatch(r -> r.proxy() != null && r.proxy().error() != null && r.proxy().error().contains(part)));
    }

    private static void assertServes(ZkFixture.Proxy p) {
        try (Jedis j = ProxyCluster.client(p.port())) {
            assertEquals("OK", j.set("still", "served"));
            assertEquals("served", j.get("still"));
        }
    }

    @Test
    void aMalformedTopologyLeavesTheLastGoodMapInPlaceAndIsReported() throws Exception {
        f = ZkFixture.start(2);
        Topology good = f.createCluster("shop", 2);
        ZkFixture.Proxy p = f.startProxy("shop");
        f.awaitApplied(p, "shop", 1);

        write("{\"version\":1,\"cluster\":\"shop\",\"mode\":\"cache\",\"epoch\":7,\"groups\":[");
        awaitError(p, "not valid JSON");
        assertEquals(1, p.appliedEpoch());
        assertServes(p);
        String info = p.server().context().infoSection("proxy");
        assertTrue(info.contains("zk_last_error:topology of cluster shop is not valid JSON"), info);

        write("{\"version\":2,\"cluster\":\"shop\",\"everything\":\"different\"}");
        awaitError(p, "format version 2, written by a newer kvstore");
        write(new String(TopologyCodec.encodeTopology(good, null), StandardCharsets.UTF_8).replace("[0,8191,\"g1\"],", ""));
        awaitError(p, "slots 0-8191 are not assigned");
        assertEquals(1, p.appliedEpoch());
        assertServes(p);

        // a good topology of a later epoch heals it
        Topology next = good.withSlotsAssigned(List.of(new SlotRange(0, 10, "g2"))).withSlotsAssigned(List.of(new SlotRange(11, 11, "g2")));
        f.admin.client().setData().forPath(StorePaths.topology("shop"), TopologyCodec.encodeTopology(next, null));
        f.awaitApplied(p, "shop", 3);
        ZkFixture.await("the error to clear", () -> p.control().status().lastError() == null);
        ZkFixture.await("the registration error to clear", () -> f.admin.proxies("shop").get(0).proxy().error() == null);
        assertServes(p);
    }

    @Test
    void aDeletedClusterIsReportedAndTheProxyKeepsServing() throws Exception {
        f = ZkFixture.start(1);
        f.createCluster("shop", 1);
        ZkFixture.Proxy p = f.startProxy("shop");
        f.awaitApplied(p, "shop", 1);
        f.admin.delete("shop", true);
        ZkFixture.await("the proxy to report the deletion", () -> p.control().status().lastError() != null
                && p.control().status().lastError().contains("cluster shop no longer exists"));
        assertServes(p);
        assertEquals(List.of(), ClusterStore.using(f.admin.client()).clusters());
    }
}
