package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.snapshot.Backup;
import io.kvstore.admin.snapshot.KeyProgress;
import io.kvstore.admin.snapshot.Schedule;
import io.kvstore.admin.snapshot.SnapshotWriter;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin backup CLUSTER --out DIR}: every key of the cluster with its DUMP payload
 * and TTL into {@code DIR/state.bin}, and what describes it into {@code DIR/meta.json}
 * (doc/operations.md, *Backup and restore*). Groups are read one after the other, each from a
 * replica unless {@code --from masters} (or none is fit). Main thread only.
 */
@Command(name = "backup", description = {"Write every key of the cluster (DUMP payload and TTL) to DIR/state.bin, and DIR/meta.json.",
        "Each key is read whole at one instant; the set of keys is not one point in time unless writes are paused."},
        footer = {"", "Example: kvstore-admin backup shop --out /backups/shop-2026-12-04", "", Exit.SUMMARY,
                "backup exits 4 when a migration is under way (without --during-migration) or DIR holds a snapshot,",
                "5 when the slot map changed while it ran (the snapshot is written; check it or take another)."})
public final class BackupCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory to write state.bin and meta.json into (created; must not hold a snapshot).")
    Path out;

    @Option(names = "--from", defaultValue = "replicas", paramLabel = "replicas|masters",
            description = "Read each group from a replica (a down or lagging one: from the master, said so) or from the master (default: ${DEFAULT-VALUE}).")
    String from;

    @Option(names = "--rate", defaultValue = "0", description = "Keys read per second at most; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--during-migration", description = "Run even while slots migrate: a moving key may then be missing or twice in the snapshot.")
    boolean duringMigration;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Option(names = "--every", paramLabel = "DURATION", description = {"Take a backup every DURATION (30s, 15m, 1h, 1d) until stopped, each in",
            "DIR/CLUSTER-<UTC time of its period>; hosts running the same schedule take each period once (a ZooKeeper lock)."})
    String every;

    @Option(names = "--keep", defaultValue = "24", description = "With --every: keep the newest N snapshots of DIR, delete older ones (default: ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--count", defaultValue = "0", description = "With --every: stop after N periods (0 = run until stopped; default: ${DEFAULT-VALUE}).")
    int count;

    @Mixin
    RedisOptions redis;

    @Override
    protected int run() {
        if (!from.equals("replicas") && !from.equals("masters")) {
            throw new IllegalArgumentException("--from is replicas or masters, not " + from);
        }
        try (ClusterStore store = openStore()) {
            return every == null ? once(store, out) : scheduled(store);
        }
    }

    /** {@code --every}: one backup per period, on whichever host gets there first, until {@code --count} periods. */
    private int scheduled(ClusterStore store) {
        if (keep < 1) {
            throw new IllegalArgumentException("--keep must be at least 1");
        }
        Schedule schedule = new Schedule(store.client(), cluster, parseDuration(every));
        int exit = Exit.OK;
        long period = schedule.period(System.currentTimeMillis());
        for (int n = 0; count == 0 || n < count; n++) {
            Path dir = schedule.directory(out, period);
            int[] result = {Exit.OK};
            try {
                Schedule.Turn turn = schedule.turn(period, 5_000, () -> {
                    result[0] = once(store, dir);
                    return result[0] == Exit.OK || result[0] == Exit.DEGRADED;
                });
                if (turn != Schedule.Turn.TAKE) {
                    out().println(dir.getFileName() + ": taken by another host, skipped");
                } else if (result[0] == Exit.OK || result[0] == Exit.DEGRADED) {
                    out().println(dir.getFileName() + ": taken");
                    schedule.prune(out, keep).forEach(d -> out().println("deleted the old snapshot " + d));
                }
            } catch (StoreException e) {
                err(e.getMessage());
                result[0] = exitCode(e);
            } catch (Exception e) {
                err("scheduled backup " + dir.getFileName() + " failed: " + e);
                result[0] = Exit.UNREACHABLE;
            }
            exit = result[0] == Exit.OK ? exit : result[0];
            out().flush();
            period = schedule.next(period);
            if (count != 0 && n + 1 >= count) {
                break;
            }
            long wait = period - System.currentTimeMillis();
            if (wait > 0) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return exit;
    }

    /** {@code 30s}, {@code 15m}, {@code 1h}, {@code 1d}. */
    static Duration parseDuration(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+)([smhd])").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--every takes a number and s, m, h or d (30s, 15m, 1h, 1d), not " + text);
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    /** One backup of the cluster into {@code out}. */
    private int once(ClusterStore store, Path out) {
        Path state = out.resolve("state.bin");
        if (Files.exists(state) || Files.exists(out.resolve("meta.json"))) {
            err("refused: " + out + " already holds a snapshot; give another directory");
            return Exit.CONFLICT;
        }
        try {
            Topology start = store.read(cluster).value();
            if (!start.migrating().isEmpty() && !duringMigration) {
                throw new StoreException.Conflict("slots of cluster " + cluster + " are migrating: a key moving between two groups "
                        + "could be missed or read twice; wait (kvstore-admin migrations " + cluster + "), or give --during-migration");
            }
            long startMillis = System.currentTimeMillis();
            Backup backup = new Backup(redis.auth(), redis.timeoutMs, rate);
            SlotMap map = start.slotMap(BackendAuth.NONE);
            List<Backup.Source> sources = new ArrayList<>();
            List<Integer> indexes = new ArrayList<>();
            for (int i = 0; i < map.groups().size(); i++) {
                Group g = map.groups().get(i);
                if (start.slotCount(g.id()) == 0 && !start.migrating().stream().anyMatch(r -> r.groupId().equals(g.id()))) {
                    continue; // owns nothing: its keys, if any, are strays no proxy reaches
                }
                sources.add(backup.source(g, from.equals("replicas")));
                indexes.add(i);
            }
            Files.createDirectories(out);
            Path partial = out.resolve("state.bin.partial");
            List<Backup.GroupResult> results = new ArrayList<>();
            try (SnapshotWriter w = new SnapshotWriter(partial);
                 KeyProgress progress = KeyProgress.forOutput(out(), "backup",
                         sources.stream().mapToLong(Backup.Source::dbSize).sum(), quiet)) {
                for (Backup.Source s : sources) {
                    if (s.note() != null) {
                        progress.note(s.note());
                    }
                }
                for (int i = 0; i < sources.size(); i++) {
                    results.add(backup.read(sources.get(i), map, indexes.get(i), duringMigration, w, progress));
                }
                w.finish();
                Files.move(partial, state, StandardCopyOption.ATOMIC_MOVE);
                Topology end = store.read(cluster).value();
                boolean changed = !end.ranges().equals(start.ranges()) || !end.migrating().equals(start.migrating());
                writeMeta(out, start, end, startMillis, results, w);
                long millis = Math.max(1, System.currentTimeMillis() - startMillis);
                out().printf("backup of %s: %d keys, %d bytes in %s in %.1f s (%d keys/s)%n", cluster, w.keys(), w.bytes(), out,
                        millis / 1000.0, w.keys() * 1000 / millis);
                long strays = results.stream().mapToLong(Backup.GroupResult::strays).sum();
                if (strays > 0) {
                    out().println(strays + " keys on groups that do not own their slot were left out (kvstore-admin verify " + cluster + ")");
                }
                if (changed) {
                    err("warning: the slot map changed while the backup ran (epoch " + start.epoch() + " to " + end.epoch()
                            + "): keys that moved may be missing or twice in it");
                    return Exit.DEGRADED;
                }
                return Exit.OK;
            }
        } catch (IOException e) {
            err("backup failed: " + e.getMessage() + "; " + out.resolve("state.bin.partial") + " is incomplete: delete it");
            return Exit.UNREACHABLE;
        }
    }

    private void writeMeta(Path out, Topology start, Topology end, long startMillis, List<Backup.GroupResult> results, SnapshotWriter w)
            throws IOException {
        long endMillis = System.currentTimeMillis();
        ObjectNode root = JSON.createObjectNode();
        root.put("format", 1);
        root.put("cluster", cluster);
        root.put("mode", start.mode().wireName());
        root.put("startTime", Instant.ofEpochMilli(startMillis).toString());
        root.put("endTime", Instant.ofEpochMilli(endMillis).toString());
        root.put("startMillis", startMillis);
        root.put("endMillis", endMillis);
        topology(root.putObject("start"), start);
        topology(root.putObject("end"), end);
        ArrayNode groups = root.putArray("groups");
        TreeSet<String> versions = new TreeSet<>();
        for (Backup.GroupResult r : results) {
            ObjectNode g = groups.addObject();
            g.put("id", r.source().group().id());
            g.put("master", r.source().group().master().toString());
            g.put("source", r.source().address().toString());
            g.put("sourceRole", r.source().master() ? "master" : "replica");
            if (r.source().note() != null) {
                g.put("note", r.source().note());
            }
            g.put("redisVersion", r.redisVersion());
            g.put("keys", r.keys());
            g.put("strays", r.strays());
            g.put("vanished", r.vanished());
            versions.add(r.redisVersion());
        }
        root.put("keys", w.keys());
        root.put("bytes", w.bytes());
        root.put("payloadBytes", w.payloadBytes());
        root.put("sha256", w.sha256());
        root.put("rdbVersion", w.maxRdbVersion());
        versions.forEach(root.putArray("redisVersions")::add);
        root.put("ttl", "absolute: each key's expiry in epoch ms, from the admin's clock at read time");
        Files.writeString(out.resolve("meta.json"), JSON.writeValueAsString(root) + "\n");
    }

    private static void topology(ObjectNode n, Topology t) {
        n.put("epoch", t.epoch());
        ArrayNode slots = n.putArray("slots");
        for (SlotRange r : t.ranges()) {
            slots.addArray().add(r.start()).add(r.end()).add(r.groupId());
        }
        ArrayNode migrating = n.putArray("migrating");
        t.migrating().forEach(r -> migrating.addArray().add(r.start()).add(r.end()).add(r.groupId()));
        ArrayNode groups = n.putArray("groups");
        for (Group g : t.groups()) {
            ObjectNode o = groups.addObject();
            o.put("id", g.id());
            o.put("master", g.master().toString());
            g.replicas().forEach(r -> o.withArray("replicas").add(r.toString()));
            o.put("state", t.state(g.id()).wireName());
        }
    }
}
