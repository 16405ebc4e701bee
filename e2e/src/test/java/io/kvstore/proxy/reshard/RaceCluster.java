package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import java.util.List;

/**
 * The cluster the migration race tests ({@link MigrationRaceTest}, {@link MigrationSkewRaceTest})
 * drive, inside a {@link ZkFixture} of two redis-servers that the test owns and closes: cluster
 * {@value #NAME} in data-store mode, group g1 on redis-server 0; group g2 on redis-server 1 is
 * added through the admin CLI once the test's proxies run, and slots move to it with the CLI's
 * {@code migrate}, as an operator would. Nothing here is closed.
 */
final class RaceCluster {

    static final String NAME = "race";

    private RaceCluster() {
    }

    /** Creates the cluster with its one group, g1 on redis-server 0. */
    static void create(ZkFixture f) {
        f.admin.create(Topology.create(NAME, ClusterMode.DATASTORE, List.of(Group.of("g1", f.address(0)))));
    }

    /** Adds group g2 (redis-server 1) through the admin CLI; the run must succeed. */
    static void addTarget(ZkFixture f) {
        assertEquals(0, AdminCli.run(f, "group", "add", NAME, f.redis.get(1).address(), "--id", "g2").exit());
    }

    /** Moves {@code slot} to g2 through the admin CLI, unpaced and quiet; returns once the run has ended. */
    static AdminCli.Result migrateToTarget(ZkFixture f, int slot) {
        return AdminCli.run(f, "migrate", NAME, "--slot", Integer.toString(slot), "--to", "g2", "--rate", "0", "--quiet");
    }
}
