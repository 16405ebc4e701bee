package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisDataException;

/**
 * A proxy of a data-store cluster that loses its ZooKeeper session stops serving keys (its
 * registration is gone, so a migration could start without it) and serves again once it has
 * re-read the topology. A transaction queued before the loss is not sent at EXEC after it. A cache cluster keeps serving (tested in OutageIntegrationTest).
 */
class SessionLossFenceTest {

    private ZkFixture f;

    @AfterEach
    void stop() throws Exception {
        if (f != null) {
            f.close();
        }
    }

    @Test
    void aDataStoreProxyRefusesKeysAfterItsSessionIsLostAndServesAgainAfterResync() throws Exception {
        f = ZkFixture.start(1);
        f.admin.create(Topology.create("bank", ClusterMode.DATASTORE, List.of(Group.of("g1", f.address(0)))));
        ZkFixture.Proxy p = f.startProxy("bank");
        try (Jedis j = ProxyCluster.client(p.port()); RespSocket tx = RespSocket.connect(p.port())) {
            assertEquals("OK", j.set("acct", "1"));
            assertEquals("OK", tx.call("MULTI"));
            assertEquals("QUEUED", tx.call("SET", "acct", "2")); // queued while serving, EXEC after the loss
            f.zk.stop();
            ZkFixture.await("the session to be lost", () -> p.control().status().snapshot().connection() == ControlStatus.Connection.LOST);
            ZkFixture.await("keys to be refused", () -> {
                try {
                    j.get("acct");
                    return false;
                } catch (JedisDataException e) {
                    assertTrue(e.getMessage().startsWith("TRYAGAIN"), e.getMessage());
                    return true;
                }
            });
            assertEquals("PONG", j.ping(), "the proxy itself still answers");
            Object exec = tx.call("EXEC");
            assertTrue(exec instanceof RespSocket.Error e && e.message().startsWith("TRYAGAIN"), "EXEC while fenced: " + exec);
            f.zk.restart();
            ZkFixture.await("keys to be served again", () -> {
                try {
                    return "1".equals(j.get("acct")); // "2" would be the fenced transaction's write
                } catch (JedisDataException e) {
                    return false;
                }
            });
        }
    }
}
