package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.redis.KeyScan;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin verify CLUSTER}: checks that every key lives on the master of the group that
 * owns its slot. A full SCAN of every master computes each key's slot; a key whose slot belongs
 * to another group (and is not migrating between the two) is a <em>stray</em>: no proxy routes to
 * it, so it is either a leftover (a cache-mode {@code --no-data} flip, {@code slots assign}) or a
 * write that bypassed the proxies. Read-only, unless {@code --purge}: then strays are deleted,
 * each batch only after the topology is read again and found unchanged and without migrations,
 * so a key whose slot has just moved to its group is never taken for one. Main thread only.
 */
@Command(name = "verify", description = {"Check that every key is on the group that owns its slot (a full SCAN of every master).",
        "Strays are keys no proxy can reach: leftovers of a --no-data move or slots assign, or writes that bypassed the proxies."},
        footer = {"", "Example: kvstore-admin verify shop", "", Exit.SUMMARY,
                "verify exits 0 when no master holds a stray key (or --purge deleted them all), 5 when some does,",
                "1 when a master cannot be scanned, 4 when --purge stopped because the topology changed."})
public final class VerifyCommand extends AdminCommand {

    /** Stray keys named per group in the output; the count is always exact. */
    static final int SAMPLE = 5;

    /** How a purge that found the topology changed says so (and is told from an unreachable master). */
    private static final String CHANGED = "the topology changed during --purge";

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--json", description = "Print the result as JSON.")
    boolean json;

    @Option(names = "--purge", description = {"Delete the stray keys (UNLINK). For leftovers of --no-data moves and slots assign;",
            "refused while slots migrate. Keys written around the proxies are deleted too: look first."})
    boolean purge;

    @Mixin
    RedisOptions redis;

    /** What one master holds. */
    record GroupKeys(String group, String master, long keys, long strays, long purged, List<String> sample, String error) {
    }

    @Override
    protected int run() {
        List<GroupKeys> result = new ArrayList<>();
        Topology t;
        try (ClusterStore store = openStore()) {
            t = store.read(cluster).value();
            if (purge && !t.migrating().isEmpty()) {
                throw new StoreException.Conflict("slots of cluster " + cluster
                        + " are migrating; --purge waits until no migration is under way");
            }
            SlotMap map = t.slotMap(BackendAuth.NONE);
            for (int g = 0; g < map.groups().size(); g++) {
                result.add(scan(store, t, map, g));
            }
        }
        print(t, result);
        if (result.stream().anyMatch(r -> r.error() != null)) {
            return result.stream().anyMatch(r -> r.error().startsWith(CHANGED)) ? Exit.CONFLICT : Exit.UNREACHABLE;
        }
        return result.stream().anyMatch(r -> r.strays() > r.purged()) ? Exit.DEGRADED : Exit.OK;
    }

    /** Scans the master of group {@code index} of {@code map}; a key of a slot migrating to it is not a stray. */
    private GroupKeys scan(ClusterStore store, Topology t, SlotMap map, int index) {
        Group g = map.groups().get(index);
        long[] counts = {0, 0, 0}; // keys, strays, purged
        List<String> sample = new ArrayList<>();
        try (RespClient c = RespClient.connect(g.master(), redis.auth(), redis.timeoutMs)) {
            KeyScan.pass(c, 1000, keys -> {
                List<byte[]> strays = new ArrayList<>();
                for (byte[] key : keys) {
                    counts[0]++;
                    int slot = SlotHash.slot(key);
                    if (map.groupIndex(slot) != index && map.migrationTarget(slot) != index) {
                        counts[1]++;
                        strays.add(key);
                        if (sample.size() < SAMPLE) {
                            sample.add(new String(key, StandardCharsets.UTF_8) + " (slot " + slot + ", owned by "
                                    + map.groupOf(slot).id() + ")");
                        }
                    }
                }
                if (purge && !strays.isEmpty()) {
                    if (store.read(cluster).value().epoch() != t.epoch()) {
                        throw new IOException(CHANGED + " (epoch " + t.epoch() + " when it started); run it again");
                    }
                    strays.add(0, "UNLINK".getBytes(StandardCharsets.US_ASCII));
                    counts[2] += (Long) c.callRaw(strays.toArray(byte[][]::new));
                }
            });
            return new GroupKeys(g.id(), g.master().toString(), counts[0], counts[1], counts[2], sample, null);
        } catch (IOException | RuntimeException e) {
            String why = e.getMessage() != null && e.getMessage().startsWith(CHANGED) ? e.getMessage()
                    : "cannot scan " + g.master() + " (" + t.state(g.id()).wireName() + "): " + e.getMessage();
            return new GroupKeys(g.id(), g.master().toString(), counts[0], counts[1], counts[2], sample, why);
        }
    }

    private void print(Topology t, List<GroupKeys> result) {
        if (json) {
            ObjectNode root = JSON.createObjectNode();
            root.put("cluster", cluster);
            root.put("epoch", t.epoch());
            ArrayNode groups = root.putArray("groups");
            for (GroupKeys r : result) {
                ObjectNode n = groups.addObject();
                n.put("id", r.group());
                n.put("master", r.master());
                n.put("keys", r.keys());
                n.put("strays", r.strays());
                n.put("purged", r.purged());
                r.sample().forEach(n.withArray("sample")::add);
                if (r.error() != null) {
                    n.put("error", r.error());
                }
            }
            printJson(root);
            return;
        }
        out().printf("cluster %s at epoch %d%n", cluster, t.epoch());
        for (GroupKeys r : result) {
            out().printf("  %-8s %-21s %10d keys, %d stray%s%s%n", r.group(), r.master(), r.keys(), r.strays(),
                    purge ? ", " + r.purged() + " purged" : "", r.error() == null ? "" : "  ERROR " + r.error());
            r.sample().forEach(s -> out().println("      stray: " + s));
        }
        long strays = result.stream().mapToLong(r -> r.strays() - r.purged()).sum();
        long purged = result.stream().mapToLong(GroupKeys::purged).sum();
        if (purged > 0) {
            out().println("purged " + purged + " stray keys");
        }
        out().println(strays == 0 ? "every key is on the group that owns its slot"
                : strays + " keys are on a group that does not own their slot: no proxy reaches them");
    }
}
