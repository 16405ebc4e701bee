package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.redis.RedisProbe;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.BackendConfig;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.ProxyRecord;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin status CLUSTER}: the groups with their state and the health of each server
 * as seen from here and by the proxies (their health views), the slot ranges, the proxies with the
 * epoch each has applied, the failover controller that leads and the recent failovers. Key counts are
 * DBSIZE of each group's master: counting keys per slot range would mean scanning every key.
 */
@Command(name = "status", description = {"Show a cluster: groups, server health, slot ranges, proxies and their epochs,",
        "the failover controller and recent failovers.",
        "Health is as seen from here, and as the proxies see it when any sees a server down. Key counts are per group (DBSIZE of the master): counting keys per slot range",
        "would mean scanning every key."},
        footer = {"", Exit.SUMMARY, "status exits 5 when a server is down or not in its role, a group is failed, down or failing over,",
                "a failover is under way, a proxy is behind or reports an error, or a server's value of a parameter",
                "recorded with `config set` differs from the recorded one (config drift)."})
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
        List<HealthReport> views;
        List<FailoverRecord> failovers;
        Optional<String> controller;
        BackendConfig recorded;
        try (ClusterStore store = openStore()) {
            v = store.read(cluster);
            proxies = store.proxies(cluster);
            views = store.healthReports(cluster);
            failovers = store.failovers(cluster).stream().map(Versioned::value).toList();
            controller = store.controllerLeader(cluster);
            recorded = new BackendConfigStore(store.client(), cluster).read();
        }
        Topology t = v.value();
        Set<String> live = new HashSet<>();
        proxies.forEach(r -> live.add(r.id()));
        List<HealthReport> votes = views.stream().filter(h -> live.contains(h.proxyId())).toList();
        Map<HostPort, RedisProbe.Health> health = noRedis ? Map.of() : probeAll(t);
        List<String> problems = new ArrayList<>();

        ObjectNode root = JSON.createObjectNode();
        root.put("cluster", cluster);
        root.put("mode", t.mode().wireName());
        root.put("epoch", t.epoch());
        root.put("changedAt", Instant.ofEpochMilli(v.modifiedMillis()).toString());
        if (controller.isPresent()) {
            root.put("controller", controller.get());
        } else {
            root.putNull("controller");
        }
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
            GroupState st = t.state(g.id());
            if (st.refusesClients()) {
                problems.add("group " + g.id() + " is " + st + (st == GroupState.FAILED
                        ? ": its master failed, its slots are served by the other groups until it rejoins"
                        : ": its slots answer -CLUSTERDOWN until its master or a replica is back"));
            } else if (st == GroupState.FAILING_OVER) {
                problems.add("group " + g.id() + " is failing over");
            }
            server(gn.putObject("master"), g.master(), mh);
            seenBy(gn.with("master"), g.master(), votes);
            if (mh != null && !mh.up()) {
                problems.add("master " + g.master() + " of group " + g.id() + " is down: " + mh.error());
            } else if (mh != null && !mh.isMaster()) {
                problems.add("master " + g.master() + " of group " + g.id() + " is not a master (it follows " + mh.masterOf() + ")");
            }
            ArrayNode rs = gn.putArray("replicas");
            for (HostPort r : g.replicas()) {
                RedisProbe.Health rh = health.get(r);
                ObjectNode rn = rs.addObject();
                server(rn, r, rh);
                seenBy(rn, r, votes);
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
        ArrayNode fs = root.putArray("failovers");
        for (int i = Math.max(0, failovers.size() - SHOWN_FAILOVERS); i < failovers.size(); i++) {
            FailoverRecord f = failovers.get(i);
            failoverJson(fs.addObject(), f);
            if (!f.state().finished()) {
                problems.add("failover " + f.id() + " of group " + f.group() + " is under way: " + f.note());
            }
        }
        ObjectNode bc = root.putObject("backendConfig");
        recorded.params().forEach(bc::put);
        if (!noRedis) {
            problems.addAll(ConfigDrift.of(t, recorded, redis.auth()));
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

    /** Failover records shown, newest last. */
    static final int SHOWN_FAILOVERS = 10;

    /** How many live proxies check {@code address} and how many of them see it down ({@code seenDownBy}/{@code checkedBy}). */
    private static void seenBy(ObjectNode n, HostPort address, List<HealthReport> votes) {
        int checked = 0;
        int down = 0;
        long since = Long.MAX_VALUE;
        for (HealthReport h : votes) {
            HealthReport.NodeHealth nh = h.node(address);
            if (nh != null) {
                checked++;
                if (!nh.up()) {
                    down++;
                    since = Math.min(since, nh.sinceMillis());
                }
            }
        }
        n.put("checkedBy", checked);
        n.put("seenDownBy", down);
        if (down > 0) {
            n.put("seenDownSince", Instant.ofEpochMilli(since).toString());
        }
    }

    /** A failover record as JSON (also printed by {@code kvstore-admin failover --json}). */
    static ObjectNode failoverJson(ObjectNode n, FailoverRecord f) {
        n.put("id", f.id());
        n.put("group", f.group());
        n.put("kind", f.kind().wireName());
        n.put("mode", f.mode().wireName());
        n.put("state", f.state().wireName());
        n.put("oldMaster", f.oldMaster().toString());
        if (f.newMaster() == null) {
            n.putNull("newMaster");
        } else {
            n.put("newMaster", f.newMaster().toString());
        }
        n.put("epoch", f.epoch());
        n.put("startedAt", Instant.ofEpochMilli(f.startedAt()).toString());
        if (f.finishedAt() == 0) {
            n.putNull("finishedAt");
        } else {
            n.put("finishedAt", Instant.ofEpochMilli(f.finishedAt()).toString());
            n.put("millis", f.finishedAt() - f.startedAt());
        }
        n.put("lostBytes", f.lostBytes());
        n.put("by", f.by());
        n.put("note", f.note());
        return n;
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

    /** The admin's own look, then what the proxies see when any of them sees it down. */
    private static String describe(RedisProbe.Health h, JsonNode server) {
        String own = describe(h);
        int down = server.path("seenDownBy").asInt(0);
        return down == 0 ? own : own + "; DOWN for " + down + " of " + server.path("checkedBy").asInt() + " proxies since "
                + server.path("seenDownSince").asText();
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
        for (int gi = 0; gi < t.groups().size(); gi++) {
            Group g = t.groups().get(gi);
            JsonNode gn = root.get("groups").get(gi);
            RedisProbe.Health mh = health.get(g.master());
            String keys = mh != null && mh.up() ? Long.toString(mh.keys()) : "-";
            o.printf("%-8s %-13s %6d %10s  %-21s master: %s%n", g.id(), t.state(g.id()), t.slotCount(g.id()), keys,
                    g.master(), describe(mh, gn.get("master")));
            for (int ri = 0; ri < g.replicas().size(); ri++) {
                HostPort r = g.replicas().get(ri);
                o.printf("%-8s %-13s %6s %10s  %-21s replica: %s%n", "", "", "", "", r, describe(health.get(r), gn.get("replicas").get(ri)));
            }
        }
        o.println();
        o.println("FAILOVER CONTROLLER: " + (root.get("controller").isNull()
                ? "none running (no automatic failover: every proxy runs with --no-controller, or none runs)"
                : root.get("controller").asText() + " leads"));
        if (!root.get("failovers").isEmpty()) {
            o.printf("%-14s %-6s %-8s %-8s %-21s %-21s %6s %8s  %s%n", "FAILOVER", "GROUP", "KIND", "STATE", "OLD MASTER",
                    "NEW MASTER", "EPOCH", "MS", "NOTE");
            root.get("failovers").forEach(f -> o.printf("%-14s %-6s %-8s %-8s %-21s %-21s %6s %8s  %s%n", f.get("id").asText(),
                    f.get("group").asText(), f.get("kind").asText(), f.get("state").asText(), f.get("oldMaster").asText(),
                    f.get("newMaster").isNull() ? "-" : f.get("newMaster").asText(), f.get("epoch").asLong() == 0 ? "-"
                            : f.get("epoch").asText(), f.path("millis").asText("-"), f.get("note").asText()));
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
