package io.kvstore.proxy.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failovers seen: a group's master that changes between installed maps counts once; an older map is not installed. */
class ClusterStateTest {

    private static SlotMap map(long epoch, String g0Master) {
        return SlotMap.evenlySpread(epoch, List.of(Group.of("g0", HostPort.parse(g0Master)),
                Group.of("g1", HostPort.parse("127.0.0.1:7001"))));
    }

    @Test
    void countsMasterChangesBetweenInstalledMaps() {
        ClusterState state = new ClusterState(map(1, "127.0.0.1:7000"));
        state.update(map(2, "127.0.0.1:7000"));
        assertEquals(0, state.failoversSeen(), "same masters");
        state.update(map(3, "127.0.0.1:7100"));
        assertEquals(1, state.failoversSeen(), "g0's master changed");
        assertFalse(state.update(map(2, "127.0.0.1:7000")));
        assertEquals(1, state.failoversSeen(), "an older map is not installed, so not counted");
        state.update(SlotMap.evenlySpread(4, List.of(Group.of("g0", HostPort.parse("127.0.0.1:7100")))));
        assertEquals(1, state.failoversSeen(), "a group that left is not a failover");
    }
}
