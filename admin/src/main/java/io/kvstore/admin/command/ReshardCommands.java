package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.admin.reshard.JobStore;
import io.kvstore.admin.reshard.MigrationDriver;
import io.kvstore.admin.reshard.MigrationJob;
import io.kvstore.admin.reshard.MoveTuning;
import io.kvstore.admin.reshard.PacingWindow;
import io.kvstore.admin.reshard.Plans;
import io.kvstore.admin.reshard.Progress;
import io.kvstore.admin.reshard.Progresses;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rebalance}, {@code reshard}, {@code migrate} and {@code migrations}: moving slots with their data. */
public final class ReshardCommands {

    private ReshardCommands() {
    }

    /** What every command that starts a migration shares: options, recording the job, driving it. */
    abstract static class MoveCommand extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = "--rate", defaultValue = "20000",
                description = "Keys moved per second at most, so client traffic keeps its latency; 0 = no limit (default: ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--chunk-slots", defaultValue = "2048",
                description = "Slots moved per step (one epoch marks them migrating, one flips them): from each source group when several"
                        + " are moved from at once (--parallel-sources > 1), in all otherwise (default: ${DEFAULT-VALUE}).")
        int chunkSlots;

        @Option(names = "--parallel-sources", defaultValue = "4",
                description = "Source groups moved from at once, one thread and connection each (default: ${DEFAULT-VALUE}).")
        int parallelSources;

        @Option(names = "--scan-count", defaultValue = "1000",
                description = "COUNT of each SCAN over a source: keys looked at per round trip (default: ${DEFAULT-VALUE}).")
        int scanCount;

        @Option(names = "--batch-keys", defaultValue = "500",
                description = "Keys per MIGRATE at most (default: ${DEFAULT-VALUE}).")
        int batchKeys;

        @Option(names = "--batch-ms", defaultValue = "20",
                description = "How long one MIGRATE may block its source: after a slower one the next batches carry fewer keys"
                        + " (stands for a bound in bytes; default: ${DEFAULT-VALUE}).")
        int batchMillis;

        @Option(names = "--max-latency-ratio", defaultValue = "0",
                description = "Pace by latency: keep the p99 of the servers' latency, probed while moving, within this many times"
                        + " the baseline probed before; the rate adapts up to --rate (0 = off; default: ${DEFAULT-VALUE})."
                        + " Probed through the registered proxies (EXISTS of a key of each source group's unmoved slots),"
                        + " or the servers directly when no proxy answers.")
        double maxLatencyRatio;

        @Option(names = "--pacing-floor", defaultValue = "500",
                description = "With --max-latency-ratio: keys per second the rate is never cut below, so the move ends"
                        + " (1-1000000; default: ${DEFAULT-VALUE}).")
        int pacingFloor;

        @Option(names = "--pacing-start", defaultValue = "10000",
                description = "With --max-latency-ratio: the first window's rate, keys per second (1-10000000; default: ${DEFAULT-VALUE}).")
        int pacingStart;

        @Option(names = "--pacing-window-ms", defaultValue = "500",
                description = "With --max-latency-ratio: how long each window probes before the rate is set again"
                        + " (50-60000; default: ${DEFAULT-VALUE}).")
        int pacingWindowMs;

        @Option(names = "--pacing-target", defaultValue = "0.7",
                description = "With --max-latency-ratio: the share of the bound the rate aims at: it grows only after a window"
                        + " below it, holds between it and the bound, and is halved after a window above the bound"
                        + " (0.3-1; default: ${DEFAULT-VALUE}).")
        double pacingTarget;

        @Option(names = "--pacing-baseline-ms", defaultValue = "3000",
                description = "With --max-latency-ratio: how long the baseline is probed before the move; it is a quantile"
                        + " (--pacing-baseline-quantile) of the p99s of its 200 ms windows (200-60000; default: ${DEFAULT-VALUE}).")
        int pacingBaselineMs;

        @Option(names = "--pacing-interval-ms", defaultValue = "1",
                description = "With --max-latency-ratio: the pause between two probes on a connection; shorter gives more"
                        + " samples per window (1-1000; default: ${DEFAULT-VALUE}).")
        int pacingIntervalMs;

        @Option(names = "--pacing-baseline-quantile", defaultValue = "0.5",
                description = "With --max-latency-ratio: which of the baseline windows' p99s is the baseline (0.5: the median;"
                        + " lower discounts windows a burst of other work inflated; 0.05-0.95; default: ${DEFAULT-VALUE}).")
        double pacingBaselineQuantile;

        @Option(names = "--no-data", description = "Cache mode only: flip slot ownership without moving keys (the moved slots' keys are lost).")
        boolean noData;

        @Option(names = "--proxy-wait-ms", defaultValue = "30000",
                description = "How long to wait for every proxy to apply a step before giving up (default: ${DEFAULT-VALUE}).")
        long proxyWaitMs;

        @Option(names = "--json", description = "Print the result as JSON.")
        boolean json;

        @Option(names = "--quiet", description = "No progress output.")
        boolean quiet;

        @Mixin
        RedisOptions redis;

        @Mixin
        ProxyLogin proxyLogin;

        /** The slots to move, from the current topology. */
        abstract List<SlotRange> plan(Topology t);

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                Topology t = store.read(cluster).value();
                if (noData && t.mode() != ClusterMode.CACHE) {
                    throw new IllegalArgumentException("--no-data loses the moved slots' keys; it is for clusters in cache mode only");
                }
                MoveTuning tuning = new MoveTuning(scanCount, batchKeys, batchMillis, parallelSources, maxLatencyRatio, pacingFloor,
                        pacingStart, pacingWindowMs, pacingTarget, pacingBaselineMs, pacingIntervalMs,
                        pacingBaselineQuantile);
                List<SlotRange> moves = plan(t);
                if (moves.isEmpty()) {
                    out().println("nothing to move: cluster " + cluster + " is already as asked");
                    return Exit.OK;
                }
                long now = System.currentTimeMillis();
                MigrationJob job = new MigrationJob(moves, rate, chunkSlots, noData, false, 0, 0, now, now, "", tuning);
                new JobStore(store, cluster).create(job);
                if (!json) {
                    out().println("moving " + job.totalSlots() + " slots of cluster " + cluster + " ("
                            + (noData ? "ownership only" : "with their keys") + ")");
                }
                return drive(this, store, cluster, job.totalSlots(), redis, proxyLogin, proxyWaitMs, json, quiet);
            }
        }
    }

    /** Runs the recorded job to its end, printing progress and the result. */
    static int drive(AdminCommand cmd, ClusterStore store, String cluster, long totalSlots, RedisOptions redis,
                     ProxyLogin proxyLogin, long proxyWaitMs, boolean json, boolean quiet) {
        try (Progress progress = Progresses.forOutput(cmd.out(), totalSlots, quiet || json)) {
            MigrationDriver.Result r = new MigrationDriver(store, cluster, redis.auth(), proxyLogin.auth(), progress, proxyWaitMs)
                    .run();
            if (json) {
                ObjectNode root = AdminCommand.JSON.createObjectNode();
                root.put("cluster", cluster);
                root.put("cancelled", r.cancelled());
                root.put("slotsMoved", r.slotsMoved());
                root.put("keysMoved", r.keysMoved());
                root.put("millis", r.millis());
                root.put("keysPerSecond", r.millis() == 0 ? 0 : r.keysMoved() * 1000 / r.millis());
                if (r.pacing() != null) {
                    ObjectNode p = root.putObject("pacing");
                    p.put("probe", r.pacing().via());
                    p.put("probeTargets", r.pacing().targets());
                    p.put("baselineP99Micros", Math.round(r.pacing().baselineMicros()));
                    p.put("boundP99Micros", Math.round(r.pacing().boundMicros()));
                    p.put("targetP99Micros", Math.round(r.pacing().targetMicros()));
                    p.put("windows", r.pacing().windows());
                    p.put("decreases", r.pacing().decreases());
                    p.put("lastRate", r.pacing().lastRate());
                    ArrayNode trace = p.putArray("trace");
                    for (PacingWindow w : r.pacing().trace()) {
                        trace.addObject().put("p99Micros", w.p99Micros()).put("samples", w.samples())
                                .put("keysPerSecond", w.keysPerSecond()).put("rate", w.rate());
                    }
                }
                cmd.printJson(root);
            } else {
                cmd.out().printf("%s: %d slots and %d keys moved in %.1f s%n", r.cancelled() ? "cancelled" : "done",
                        r.slotsMoved(), r.keysMoved(), r.millis() / 1000.0);
                if (r.pacing() != null) {
                    MigrationDriver.Pacing p = r.pacing();
                    cmd.out().printf("pacing: probed through the %s (%d targets), baseline p99 %d us, bound %d us, %d windows,"
                            + " %d cuts, last rate %d keys/s%n", p.via(), p.targets(), Math.round(p.baselineMicros()),
                            Math.round(p.boundMicros()), p.windows(), p.decreases(), p.lastRate());
                }
            }
            return Exit.OK;
        } catch (IOException e) {
            cmd.err("migration stopped: " + e.getMessage() + "; it is recorded: fix the cause and run "
                    + "`kvstore-admin migrations " + cluster + " --resume`");
            return Exit.UNREACHABLE;
        }
    }

    @Command(name = "rebalance", description = "Even out slots over all groups, moving their keys.", footer = {"", Exit.SUMMARY})
    public static final class Rebalance extends MoveCommand {
        @Override
        List<SlotRange> plan(Topology t) {
            return Plans.rebalance(t);
        }
    }

    @Command(name = "reshard", description = "Move a number of slots, with their keys, from one group to another.",
            footer = {"", Exit.SUMMARY})
    public static final class Reshard extends MoveCommand {
        @Option(names = "--from", required = true, description = "Group giving slots.")
        String from;

        @Option(names = "--to", required = true, description = "Group receiving them.")
        String to;

        @Option(names = "--slots", required = true, description = "How many slots.")
        int count;

        @Override
        List<SlotRange> plan(Topology t) {
            return Plans.reshard(t, from, to, count);
        }
    }

    @Command(name = "migrate", description = "Move one slot (or a range, --slot 10-20), with its keys, to a group.",
            footer = {"", Exit.SUMMARY})
    public static final class Migrate extends MoveCommand {
        @Option(names = "--slot", required = true, paramLabel = "SLOT[-SLOT]", description = "The slot or range.")
        String slot;

        @Option(names = "--to", required = true, description = "Group receiving it.")
        String to;

        @Override
        List<SlotRange> plan(Topology t) {
            String[] parts = slot.split("-", 2);
            int start = Integer.parseInt(parts[0].trim());
            int end = parts.length > 1 ? Integer.parseInt(parts[1].trim()) : start;
            return Plans.migrate(t, start, end, to);
        }
    }

    @Command(name = "migrations", description = "Show the migration under way; --resume drives it on, --cancel stops it after the current step.",
            footer = {"", Exit.SUMMARY})
    public static final class Migrations extends AdminCommand {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = "--cancel", description = "Ask the driver to stop after the step under way (keys already moved stay moved).")
        boolean cancel;

        @Option(names = "--resume", description = "Drive the recorded migration to its end from here (after its driver died).")
        boolean resume;

        @Option(names = "--proxy-wait-ms", defaultValue = "30000", description = "As for rebalance (default: ${DEFAULT-VALUE}).")
        long proxyWaitMs;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Mixin
        RedisOptions redis;

        @Mixin
        ProxyLogin proxyLogin;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                Topology t = store.read(cluster).value();
                JobStore jobs = new JobStore(store, cluster);
                var job = jobs.read();
                if (cancel) {
                    if (job.isEmpty()) {
                        err("no migration is under way in cluster " + cluster);
                        return Exit.NOT_FOUND;
                    }
                    jobs.update(MigrationJob::cancelled);
                    out().println("asked the migration to stop after the current step");
                    return Exit.OK;
                }
                if (resume) {
                    if (job.isEmpty()) {
                        err("no migration is recorded for cluster " + cluster);
                        return Exit.NOT_FOUND;
                    }
                    return drive(this, store, cluster, job.get().totalSlots(), redis, proxyLogin, proxyWaitMs, json, false);
                }
                if (json) {
                    ObjectNode root = JSON.createObjectNode();
                    root.put("cluster", cluster);
                    root.put("epoch", t.epoch());
                    var migrating = root.putArray("migrating");
                    t.migrating().forEach(r -> migrating.addArray().add(r.start()).add(r.end()).add(r.groupId()));
                    var frozen = root.putArray("frozen");
                    t.frozen().forEach(r -> frozen.addArray().add(r.start()).add(r.end()).add(r.groupId()));
                    job.ifPresent(j -> {
                        ObjectNode n = root.putObject("job");
                        n.put("totalSlots", j.totalSlots());
                        n.put("slotsDone", j.slotsDone());
                        n.put("keysMoved", j.keysMoved());
                        n.put("cancel", j.cancel());
                        n.put("noData", j.noData());
                        n.put("rateKeys", j.rateKeys());
                        n.put("startedAt", j.startedAt());
                        n.put("updatedAt", j.updatedAt());
                        n.put("driver", j.driver());
                    });
                    printJson(root);
                } else if (job.isEmpty() && t.migrating().isEmpty()) {
                    out().println("no migration under way in cluster " + cluster);
                } else {
                    job.ifPresent(j -> {
                        long secs = Math.max(1, (j.updatedAt() - j.startedAt()) / 1000);
                        out().printf("job: %d/%d slots done, %d keys moved (%d keys/s), rate limit %s, driver %s%s%n",
                                j.slotsDone(), j.totalSlots(), j.keysMoved(), j.keysMoved() / secs,
                                j.rateKeys() == 0 ? "none" : j.rateKeys() + " keys/s", j.driver().isEmpty() ? "-" : j.driver(),
                                j.cancel() ? ", cancel requested" : "");
                    });
                    t.migrating().forEach(r -> out().printf("  migrating now: slots %d-%d %s -> %s%n", r.start(), r.end(),
                            t.owner(r.start()), r.groupId()));
                    t.frozen().forEach(r -> out().printf("  frozen (commands wait until every proxy has the mark): slots %d-%d%n",
                            r.start(), r.end()));
                }
                return Exit.OK;
            }
        }
    }
}
