package io.kvstore.admin.command;

import io.kvstore.config.store.ClusterStore;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Parameters;

/**
 * A {@code list CLUSTER} subcommand that prints one line per item a cluster keeps in ZooKeeper
 * (rewrite rules, users): exit 3 for an unknown cluster, as every subcommand, else the lines as
 * the subclass reads and formats them, in its order. Main thread only.
 */
abstract class ClusterListing extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    /** The lines to print, read with the store's ZooKeeper client. */
    abstract List<String> lines(CuratorFramework zk);

    @Override
    protected final int run() {
        try (ClusterStore store = openStore()) {
            store.read(cluster); // NotFound for an unknown cluster
            lines(store.client()).forEach(out()::println);
            return Exit.OK;
        }
    }
}
