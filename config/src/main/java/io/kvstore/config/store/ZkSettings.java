package io.kvstore.config.store;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.utils.ConfigurableZookeeperFactory;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;

/**
 * How to reach ZooKeeper. Immutable value; {@link #newClient()} may be called from any thread.
 *
 * @param connect             {@code host:port[,host:port...][/chroot]}
 * @param sessionTimeoutMs    ZooKeeper session timeout: after this long without contact the
 *                            proxy's registration disappears
 * @param connectionTimeoutMs how long one attempt to connect may take
 * @param maxRetries          how many times an operation is retried after a connection loss
 * @param digest              {@code user:password} for ZooKeeper digest authentication, or null;
 *                            when set, every node this client creates is readable and writable
 *                            by that identity only
 * @param tls                 TLS to ZooKeeper's secure client port, or null for plain TCP
 */
public record ZkSettings(String connect, int sessionTimeoutMs, int connectionTimeoutMs, int maxRetries, String digest, ZkTls tls) {

    /** Plain TCP to ZooKeeper. */
    public ZkSettings(String connect, int sessionTimeoutMs, int connectionTimeoutMs, int maxRetries, String digest) {
        this(connect, sessionTimeoutMs, connectionTimeoutMs, maxRetries, digest, null);
    }

    public ZkSettings {
        Objects.requireNonNull(connect, "connect");
        if (connect.isBlank()) {
            throw new IllegalArgumentException("no ZooKeeper address given");
        }
        if (sessionTimeoutMs < 1 || connectionTimeoutMs < 1 || maxRetries < 0) {
            throw new IllegalArgumentException("bad ZooKeeper timeouts");
        }
        if (digest != null && digest.isEmpty()) {
            digest = null;
        }
        if (digest != null && digest.indexOf(':') <= 0) {
            throw new IllegalArgumentException("ZooKeeper auth must be user:password");
        }
    }

    /** Defaults for a long-running proxy: 30 s session, 10 s connect, 3 retries. */
    public static ZkSettings of(String connect) {
        return new ZkSettings(connect, 30_000, 10_000, 3, null);
    }

    public ZkSettings withDigest(String userColonPassword) {
        return new ZkSettings(connect, sessionTimeoutMs, connectionTimeoutMs, maxRetries, userColonPassword, tls);
    }

    public ZkSettings withTls(ZkTls next) {
        return new ZkSettings(connect, sessionTimeoutMs, connectionTimeoutMs, maxRetries, digest, next);
    }

    /** A new, not yet started Curator client; the caller owns (starts and closes) it. */
    public CuratorFramework newClient() {
        CuratorFrameworkFactory.Builder b = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .sessionTimeoutMs(sessionTimeoutMs)
                .connectionTimeoutMs(connectionTimeoutMs)
                .retryPolicy(new ExponentialBackoffRetry(200, maxRetries, 2_000));
        if (digest != null) {
            b.authorization("digest", digest.getBytes(StandardCharsets.UTF_8)).aclProvider(new CreatorOnly());
        }
        if (tls != null) { // this client's own configuration: see ZkTls
            b.zkClientConfig(tls.clientConfig()).zookeeperFactory(new ConfigurableZookeeperFactory());
        }
        return b.build();
    }

    /** Nodes readable and writable only by the authenticated creator. */
    private static final class CreatorOnly implements ACLProvider {
        @Override
        public List<ACL> getDefaultAcl() {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }

        @Override
        public List<ACL> getAclForPath(String path) {
            return ZooDefs.Ids.CREATOR_ALL_ACL;
        }
    }

    @Override
    public String toString() {
        return "ZooKeeper " + connect + (digest == null ? "" : " (digest auth as " + digest.substring(0, digest.indexOf(':')) + ")")
                + (tls == null ? "" : " over " + tls);
    }
}
