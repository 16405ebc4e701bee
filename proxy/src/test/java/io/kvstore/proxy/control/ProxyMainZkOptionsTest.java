package io.kvstore.proxy.control;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.proxy.server.EnvAndFileDefaults;
import io.kvstore.proxy.server.ProxyMain;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The ZooKeeper options of {@code kvstore-proxy}: exclusive with static mode, and settable from YAML. */
class ProxyMainZkOptionsTest {

    private static int run(String... args) {
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setErr(new java.io.PrintWriter(new java.io.StringWriter()));
        return cli.execute(args);
    }

    @Test
    void aMapSourceMustBeChosenOnce() {
        assertEquals(2, run("--listen", "127.0.0.1:1"), "neither --backends nor --zk");
        assertEquals(2, run("--backends", "127.0.0.1:6379", "--zk", "127.0.0.1:2181", "--cluster", "c"), "both");
        assertEquals(2, run("--zk", "127.0.0.1:2181"), "--zk without --cluster");
    }

    @Test
    void zooKeeperOptionsComeFromTheYamlFileToo(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("proxy.yml");
        Files.writeString(yaml, "zk: 127.0.0.1:2181,127.0.0.1:2182\ncluster: shop\nzk-session-timeout-ms: 12000\n");
        String[] args = {"--config", yaml.toString()};
        CommandLine cli = new CommandLine(new ProxyMain());
        cli.setDefaultValueProvider(new EnvAndFileDefaults(cli.getCommandSpec(), args));
        cli.parseArgs(args);
        if (System.getenv("KVSTORE_ZK") == null) {
            assertEquals("127.0.0.1:2181,127.0.0.1:2182", cli.getCommandSpec().findOption("--zk").getValue());
        }
        if (System.getenv("KVSTORE_CLUSTER") == null) {
            assertEquals("shop", cli.getCommandSpec().findOption("--cluster").getValue());
        }
        if (System.getenv("KVSTORE_ZK_SESSION_TIMEOUT_MS") == null) {
            assertEquals(12000, (int) cli.getCommandSpec().findOption("--zk-session-timeout-ms").getValue());
        }
    }
}
