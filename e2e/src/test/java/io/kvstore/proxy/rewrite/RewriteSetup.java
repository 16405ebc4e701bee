package io.kvstore.proxy.rewrite;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.reshard.AdminCli;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The set-up the rewrite tests share, as a per-test extension ({@code @RegisterExtension final
 * RewriteSetup setup = new RewriteSetup();}): ZooKeeper and redis-servers ({@link ZkFixture}), a
 * cluster {@value #CLUSTER} over the first servers, one proxy following it, and one rewrite rule
 * added through {@code kvstore-admin rewrite add} as an operator would. Invariant: after each test
 * whatever {@link #start} started is stopped, also when the test or the set-up itself failed. Owned
 * by the test's thread.
 */
final class RewriteSetup implements AfterEachCallback {

    static final String CLUSTER = "shop";

    private ZkFixture zk;

    /**
     * Starts {@code redisServers} redis-servers (more than {@code groups} leaves spares for a test
     * to add groups on), the cluster of {@code groups} groups, a proxy, and the rule
     * {@code rulePattern}; returns the proxy once the rule is written.
     */
    ZkFixture.Proxy start(int redisServers, int groups, String rulePattern) throws Exception {
        zk = ZkFixture.start(redisServers);
        zk.createCluster(CLUSTER, groups);
        ZkFixture.Proxy proxy = zk.startProxy(CLUSTER);
        AdminCli.Result added = AdminCli.run(zk, "rewrite", "add", CLUSTER, rulePattern);
        assertEquals(0, added.exit(), added.toString());
        return proxy;
    }

    /** The fixture {@link #start} made: its servers, admin store and further proxies. */
    ZkFixture zk() {
        return zk;
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        if (zk != null) {
            zk.close();
            zk = null;
        }
    }
}
