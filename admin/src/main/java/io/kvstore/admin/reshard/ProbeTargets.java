package io.kvstore.admin.reshard;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses what latency pacing probes: through the cluster's registered proxies, one key per
 * source group of the job, each hashing to a slot the group owns and the job does not move (so
 * the probe reaches the group's master, never waits on a frozen or migrating slot, and never
 * touches a client's key); the masters directly when no proxy answers or no such key exists.
 * Stateless; called on the driver's thread.
 */
final class ProbeTargets {

    /** Candidate key names tried per group at most: a group owning one slot in 16384 needs about 16384. */
    static final int MAX_TRIES = 1_000_000;
    static final String PREFIX = "kvstore:pacing-probe:";

    private ProbeTargets() {
    }

    /**
     * For every group that still gives slots in {@code moves}, a key name hashing to a slot it owns
     * that no move of the job touches; a group that gives all its slots away has none.
     */
    static Map<String, String> keysOfSources(Topology t, List<SlotRange> moves) {
        BitSet moved = new BitSet(SlotHash.SLOTS);
        Set<String> sources = new LinkedHashSet<>();
        for (SlotRange r : moves) {
            moved.set(r.start(), r.end() + 1);
            for (int s = r.start(); s <= r.end(); s++) {
                if (!t.owner(s).equals(r.groupId())) {
                    sources.add(t.owner(s));
                }
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (String g : sources) {
            for (int i = 0; i < MAX_TRIES; i++) {
                String key = PREFIX + i;
                int slot = SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
                if (!moved.get(slot) && g.equals(t.owner(slot))) {
                    out.put(g, key);
                    break;
                }
            }
        }
        return out;
    }

    /** The probe for {@code job}: through the proxies when one answers, else every master directly. */
    static LatencyProbe open(ClusterStore store, String cluster, Topology t, MigrationJob job, BackendAuth serverAuth,
                             BackendAuth proxyAuth) throws IOException {
        Map<String, String> keys = keysOfSources(t, job.moves());
        if (!keys.isEmpty()) {
            List<HostPort> proxies = store.proxies(cluster).stream().filter(r -> r.proxy() != null)
                    .map(r -> r.proxy().address()).toList();
            LatencyProbe p = LatencyProbe.throughProxies(proxies, proxyAuth, keys.values());
            if (p != null) {
                return p;
            }
        }
        return LatencyProbe.servers(t.groups().stream().map(Group::master).toList(), serverAuth);
    }
}
