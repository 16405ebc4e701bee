package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.redis.RedisProbe;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin status CLUSTER}: the groups with the health of each server as seen from
 * here, the slot ranges, and the proxies with the epoch each has applied. Key counts are
 * DBSIZE of each group's master: counting keys per slot range would mean scanning every key.
 */
@Command(name = "status", description = {"Show a cluster: groups, server health, slot ranges, proxies and their epochs.",
        "Health is as seen from here. Key counts are per group (DBSIZE of the master): counting keys per slot range",
        "would mean scanning every key."},
        footer = {"", Exit.SUMMARY, "status exits 5 when a server is down or not in its role, or a proxy is behind or reports an error."})
public final class StatusCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Option(names = "--no-redis", description = "Do not contact the redis-servers (no health, no key counts).")
    boolean noRedis;

    @Mixin
    RedisOptions redis;

    @Override
    protected int run() {
        Versioned<Topology> v;
        List<ClusterStore.Registration> proxies;
        try (ClusterStore store = openStore()) {
            v = store.read(cluster);
            proxies = store.proxies(cluster);
        }
        Topology t = v.value();
        Map<HostPort, RedisProbe.Health> health = noRedis ? Map.of() : probeAll(t);
        List<String> problems = new ArrayList<>();

        ObjectNode root = JSON.createObjectNode();
        root.put("cluster", cluster);
        root.put("mode", t.mode().wireName());
        root.put("epoch", t.epoch());
        root.put("changedAt", Instant.ofEpochMilli(v.modifiedMillis()).toString());
        ArrayNode groups = root.putArray("groups");
        for (Group g : t.groups()) {
            ObjectNode gn = groups.addObject();
            gn.put("id", g.id());
            gn.put("state", t.state(g.id()).wireName());
            gn.put("slots", t.slotCount(g.id()));
            RedisProbe.Health mh = health.get(g.master());
            if (mh != null && mh.up()) {
                gn.put("keys", mh.keys());
            } else {
                gn.putNull("keys");
            }
            server(gn.putObject("master"), g.master(), mh);
            if (mh != null && !mh.up()) {
                problems.add("master " + g.master() + " of group " + g.id() + " is down: " + mh.error());
            } else if (mh != null && !mh.isMaster()) {
                problems.add("master " + g.master() + " of group " + g.id() + " is not a master (it follows " + mh.masterOf() + ")");
            }
            ArrayNode rs = gn.putArray("replicas");
            for (HostPort r : g.replicas()) {
                RedisProbe.Health rh = health.get(r);
                server(rs.addObject(), r, rh);
                if (rh != null && !rh.up()) {
                    problems.add("replica " + r + " of group " + g.id() + " is down: " + rh.error());
                } else if (rh != null && (rh.isMaster() || !g.master().toString().equals(rh.masterOf()) || !rh.linkUp())) {
                    problems.add("replica " + r + " of group " + g.id() + " does not replicate from " + g.master()
                            + (rh.isMaster() ? " (it is a master)" : rh.linkUp() ? " (it follows " + rh.masterOf() + ")" : " (link down)"));
                }
            }
        }
        ArrayNode slots = root.putArray("slots");
        for (SlotRange r : t.ranges()) {
            slots.addArray().add(r.start()).add(r.end()).add(r.groupId());
        }
        ArrayNode ps = root.putArray("proxies");
        for (ClusterStore.Registration reg : proxies) {
            ObjectNode pn = ps.addObject();
            pn.put("id", reg.id());
            ProxyRecord p = reg.proxy();
            if (p == null) {
                pn.put("error", reg.unreadable());
                problems.add("proxy " + reg.id() + ": " + reg.unreadable());
                continue;
            }
            pn.put("address", p.address().toString());
            pn.put("startedAt", Instant.ofEpochMilli(p.startedAtMillis()).toString());
            pn.put("appliedEpoch", p.appliedEpoch());
            pn.put("lag", t.epoch() - p.appliedEpoch());
            pn.put("software", p.software());
            if (p.error() != null) {
                pn.put("error", p.error());
                problems.add("proxy " + p.id() + " reports: " + p.error());
            } else {
                pn.putNull("error");
            }
            if (p.appliedEpoch() != t.epoch()) {
                problems.add("proxy " + p.id() + " routes by epoch " + p.appliedEpoch() + ", the cluster is at " + t.epoch());
            }
        }
        root.put("healthy", problems.isEmpty());
        ArrayNode pr = root.putArray("problems");
        problems.forEach(pr::add);

        if (json) {
            printJson(root);
        } else {
            printText(t, root, health);
        }
        return problems.isEmpty() ? Exit.OK : Exit.DEGRADED;
    }

    private Map<HostPort, RedisProbe.Health> probeAll(Topology t) {
        RedisProbe probe = redis.probe();
        List<HostPort> all = new ArrayList<>(t.addresses());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(8, all.size()), r -> {
            Thread th = new Thread(r, "kvstore-admin-probe");
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<RedisProbe.Health>> futures = new ArrayList<>();
            for (HostPort a : all) {
                futures.add(pool.submit(() -> probe.probe(a)));
            }
            Map<HostPort, RedisProbe.Health> out = new LinkedHashMap<>();
            for (Future<RedisProbe.Health> f : futures) {
                RedisProbe.Health h = f.get();
                out.put(h.address(), h);
            }
            return out;
        } catch (Exception e) {
            throw new IllegalStateException("probing the redis-servers failed", e);
        } finally {
            pool.shutdownNow();
        }
    }

    private static void server(ObjectNode n, HostPort address, RedisProbe.Health h) {
        n.put("address", address.toString());
        if (h == null) {
            n.putNull("up");
            return;
        }
        n.put("up", h.up());
        if (h.up()) {
            n.put("role", h.isMaster() ? "master" : "replica");
            if (h.masterOf() != null) {
                n.put("masterOf", h.masterOf());
                n.put("linkUp", h.linkUp());
            }
            n.put("keys", h.keys());
        } else {
            n.put("error", h.error());
        }
    }

    private static String describe(RedisProbe.Health h) {
        if (h == null) {
            return "not checked";
        }
        if (!h.up()) {
            return "DOWN: " + h.error();
        }
        if (h.isMaster()) {
            return "up, master";
        }
        return "up, replica of " + h.masterOf() + (h.linkUp() ? "" : ", LINK DOWN");
    }

    private void printText(Topology t, ObjectNode root, Map<HostPort, RedisProbe.Health> health) {
        var o = out();
        o.printf("cluster %s: mode %s, epoch %d, %d group%s, %d prox%s (changed %s)%n", cluster, t.mode(), t.epoch(),
                t.groups().size(), t.groups().size() == 1 ? "" : "s", root.get("proxies").size(),
                root.get("proxies").size() == 1 ? "y" : "ies", root.get("changedAt").asText());
        o.println();
        o.printf("%-8s %-13s %6s %10s  %-21s %s%n", "GROUP", "STATE", "SLOTS", "KEYS", "SERVER", "HEALTH");
        for (Group g : t.groups()) {
            RedisProbe.Health mh = health.get(g.master());
            String keys = mh != null && mh.up() ? Long.toString(mh.keys()) : "-";
            o.printf("%-8s %-13s %6d %10s  %-21s master: %s%n", g.id(), t.state(g.id()), t.slotCount(g.id()), keys,
                    g.master(), describe(mh));
            for (HostPort r : g.replicas()) {
                o.printf("%-8s %-13s %6s %10s  %-21s replica: %s%n", "", "", "", "", r, describe(health.get(r)));
            }
        }
        o.println();
        o.println("SLOTS");
        for (SlotRange r : t.ranges()) {
            o.printf("  %5d-%-5d %6d  %s%n", r.start(), r.end(), r.size(), r.groupId());
        }
        o.println();
        if (root.get("proxies").isEmpty()) {
            o.println("PROXIES: none registered");
        } else {
            o.printf("%-24s %8s %5s  %-24s %s%n", "PROXY", "EPOCH", "LAG", "STARTED", "ERROR");
            root.get("proxies").forEach(p -> o.printf("%-24s %8s %5s  %-24s %s%n", p.get("id").asText(),
                    p.path("appliedEpoch").asText("?"), p.path("lag").asText("?"), p.path("startedAt").asText("?"),
                    p.path("error").isNull() ? "-" : p.path("error").asText("-")));
        }
        o.println();
        if (root.get("problems").isEmpty()) {
            o.println("status: ok");
        } else {
            o.println("status: DEGRADED");
            root.get("problems").forEach(p -> o.println("  - " + p.asText()));
        }
        o.flush();
    }
}
