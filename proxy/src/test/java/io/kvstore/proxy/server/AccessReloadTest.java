package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.proxy.it.support.RespSocket;
import io.kvstore.proxy.session.AccessControl;
import io.kvstore.proxy.session.AclLog;
import io.kvstore.proxy.session.UserConnections;
import io.kvstore.testing.Await;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP's reload of the per-user connection limits and the ACL LOG length ({@link AccessReload}),
 * called as the signal handler calls it (a test cannot send SIGHUP to its own JVM safely): an edit
 * of the {@code --config} file takes effect on a running proxy and on its next login; the command
 * line still wins; a bad file changes nothing.
 */
class AccessReloadTest {

    @Test
    void anEditedConfigFileChangesTheLimitsOfARunningProxy(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "max-connections-per-user: 0\n");
        String[] args = {"--config", yaml.toString(), "--backends", "127.0.0.1:1"};
        SlotMap map = SlotMap.evenlySpread(1, List.of(Group.of("g1", HostPort.parse("127.0.0.1:1"))));
        try (ProxyServer proxy = ProxyCluster.startProxy(map, UnaryOperator.identity())) {
            AccessControl access = proxy.context().access();
            AccessReload.reload(args, proxy.context());
            assertEquals(new UserConnections.Limits(0, Map.of()), access.connections().limits());
            assertEquals(AclLog.DEFAULT_MAX_LEN, access.log().maxLen());
            try (RespSocket c1 = RespSocket.connect(proxy.port()); RespSocket c2 = RespSocket.connect(proxy.port())) {
                assertEquals("PONG", c1.call("PING"));
                assertEquals("PONG", c2.call("PING"), "positive control: no limit yet, a second default connection is served");
            }

            Files.writeString(yaml, "max-connections-per-user: 1\nmax-connections-for-user:\n  - batch=5\nacllog-max-len: 7\n");
            AccessReload.reload(args, proxy.context());
            assertEquals(new UserConnections.Limits(1, Map.of("batch", 5)), access.connections().limits());
            assertEquals(7, access.log().maxLen());
            Await.until("the first two to have left", Duration.ofSeconds(10), () -> access.connections().count("default") == 0);
            try (RespSocket c1 = RespSocket.connect(proxy.port())) {
                assertEquals("PONG", c1.call("PING"));
                RespSocket c2 = RespSocket.connect(proxy.port());
                assertEquals("-ERR max number of connections for user 'default' reached", c2.read().toString(),
                        "the next login counts against the reloaded limit");
                c2.close();
            }

            Files.writeString(yaml, "max-connections-per-user: -1\nacllog-max-len: 9\n");
            AccessReload.reload(args, proxy.context());
            assertEquals(new UserConnections.Limits(1, Map.of("batch", 5)), access.connections().limits(), "a bad value changes nothing");
            assertEquals(7, access.log().maxLen(), "not even the good value beside it");
            Files.writeString(yaml, "max-connections-per-user: 2\nunknown-key: 1\n");
            AccessReload.reload(args, proxy.context());
            assertEquals(1, access.connections().limits().perUser(), "nor a file with a key that is no option");

            Files.writeString(yaml, "max-connections-per-user: 2\nacllog-max-len: 9\n");
            String[] pinned = {"--config", yaml.toString(), "--backends", "127.0.0.1:1", "--acllog-max-len", "50"};
            AccessReload.reload(pinned, proxy.context());
            assertEquals(2, access.connections().limits().perUser());
            assertEquals(50, access.log().maxLen(), "the command line wins over the file, as at start-up");
        }
    }
}
