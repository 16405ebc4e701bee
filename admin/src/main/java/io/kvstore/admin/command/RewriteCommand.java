package io.kvstore.admin.command;

import io.kvstore.admin.rewrite.Reclaim;
import io.kvstore.admin.snapshot.KeyProgress;
import io.kvstore.config.rewrite.RewriteRule;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.config.rewrite.RewriteStore;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FrozenStep;
import io.kvstore.config.store.StoreException;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin rewrite add|bump|list|remove|reclaim}: key rewrite rules (operations.md,
 * "Forgetting a key pattern"). A change is written with a raise of the topology epoch in one
 * transaction ({@link RewriteStore}); the command then waits, as a migration step does, until
 * every registered proxy has applied that epoch, so when it returns every proxy uses the new rules.
 */
@Command(name = "rewrite", description = {"Key rewrite rules: forget every key of a pattern at once (bump), without a scan."},
        subcommands = {RewriteCommand.Add.class, RewriteCommand.Bump.class, RewriteCommand.ListRules.class,
                RewriteCommand.Remove.class, RewriteCommand.ReclaimKeys.class},
        footer = {"", Exit.SUMMARY})
public final class RewriteCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: add, bump, list, remove or reclaim");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    /** What the changing subcommands share: the cluster, the pattern, and waiting for the proxies. */
    abstract static class Change extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "PATTERN", description = "A glob, as KEYS: * ? [abc] [^a-z] \\x. Quote it for the shell.")
        String pattern;

        @Option(names = "--timeout-ms", defaultValue = "30000",
                description = "How long to wait for every proxy to apply the change (default: ${DEFAULT-VALUE}).")
        long timeoutMs;

        abstract UnaryOperator<RewriteRules> change(long now);

        abstract String done(RewriteRules rules);

        @Override
        protected int run() {
            if (timeoutMs < 0) {
                throw new IllegalArgumentException("--timeout-ms must not be negative");
            }
            try (ClusterStore store = openStore()) {
                store.read(cluster); // NotFound for an unknown cluster
                RewriteStore.Published p;
                try {
                    p = new RewriteStore(store.client(), cluster).update(change(System.currentTimeMillis()));
                } catch (NoSuchElementException e) {
                    throw new StoreException.NotFound(e.getMessage() + " in cluster " + cluster + " (kvstore-admin rewrite list)");
                } catch (IllegalStateException e) {
                    throw new StoreException.Conflict(e.getMessage());
                }
                long started = System.nanoTime();
                List<String> behind = awaitProxies(store, p.epoch());
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (!behind.isEmpty()) {
                    err("written at epoch " + p.epoch() + ", but not applied within " + timeoutMs + " ms by: "
                            + String.join(", ", behind) + "; they apply it when they reach ZooKeeper");
                    return Exit.UNREACHABLE;
                }
                out().println(done(p.rules()) + "; applied by every proxy at epoch " + p.epoch() + " in " + ms + " ms");
                return after(store);
            }
        }

        /** Work after the change is in place everywhere (bump --reclaim). */
        int after(ClusterStore store) {
            return Exit.OK;
        }

        private List<String> awaitProxies(ClusterStore store, long epoch) {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000;
            while (true) {
                List<String> behind = FrozenStep.behind(store, cluster, epoch);
                if (behind.isEmpty() || System.nanoTime() >= deadline) {
                    return behind;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return behind;
                }
            }
        }

        String generation(RewriteRules rules) {
            RewriteRule r = rules.rule(pattern);
            return pattern + " generation " + r.generation();
        }
    }

    @Command(name = "add", description = {"Add a rule: keys matching PATTERN are stored under a rewritten name from now on.",
            "Keys of the pattern stored so far become invisible, as with bump."}, footer = {"", Exit.SUMMARY})
    static final class Add extends Change {
        @Override
        UnaryOperator<RewriteRules> change(long now) {
            return r -> r.withAdded(pattern, now);
        }

        @Override
        String done(RewriteRules rules) {
            return "added " + generation(rules);
        }
    }

    @Command(name = "bump", description = {"Make every key of PATTERN invisible at once, on every proxy: its rule moves to a",
            "new generation. Old keys die by their TTL, or by reclaim."}, footer = {"", Exit.SUMMARY})
    static final class Bump extends Change {
        @Option(names = "--reclaim", description = "Then delete the old generations' keys (as rewrite reclaim).")
        boolean reclaim;

        @Mixin
        ReclaimOptions options;

        @Override
        UnaryOperator<RewriteRules> change(long now) {
            return r -> r.withBumped(pattern, now);
        }

        @Override
        String done(RewriteRules rules) {
            return "bumped " + generation(rules);
        }

        @Override
        int after(ClusterStore store) {
            return reclaim ? options.reclaim(this, store, cluster, pattern) : Exit.OK;
        }
    }

    @Command(name = "remove", description = {"Remove PATTERN's rule: its keys are stored under their own names again; the",
            "rewritten ones become invisible (reclaim them first if they have no TTL)."}, footer = {"", Exit.SUMMARY})
    static final class Remove extends Change {
        @Override
        UnaryOperator<RewriteRules> change(long now) {
            return r -> r.withRemoved(pattern);
        }

        @Override
        String done(RewriteRules rules) {
            return "removed " + pattern;
        }
    }

    @Command(name = "list", description = "Print the rules: pattern, generation, created and last bumped (UTC).",
            footer = {"", Exit.SUMMARY})
    static final class ListRules extends ClusterListing {
        @Override
        List<String> lines(CuratorFramework zk) {
            return new RewriteStore(zk, cluster).read().rules().stream()
                    .map(r -> r.pattern() + "\tgeneration " + r.generation() + "\tcreated " + Instant.ofEpochMilli(r.createdMillis())
                            + "\tbumped " + Instant.ofEpochMilli(r.bumpedMillis()))
                    .toList();
        }
    }

    @Command(name = "reclaim", description = {"Delete the keys of PATTERN that clients cannot see any more (older generations,",
            "keys stored before the rule): one SCAN pass over every master, resumable (progress kept in ZooKeeper).",
            "One run per cluster at a time (a ZooKeeper lock): another is refused, exit 4."},
            footer = {"", Exit.SUMMARY})
    static final class ReclaimKeys extends AdminCommand {
        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "PATTERN")
        String pattern;

        @Mixin
        ReclaimOptions options;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                store.read(cluster);
                return options.reclaim(this, store, cluster, pattern);
            }
        }
    }

    /** The options of a reclaim, shared by {@code reclaim} and {@code bump --reclaim}. */
    static final class ReclaimOptions {
        @Option(names = "--rate", defaultValue = "10000", description = "Keys deleted per second at most; 0 = no limit (default: ${DEFAULT-VALUE}).")
        int rate;

        @Option(names = "--quiet", description = "No progress output.")
        boolean quiet;

        @Mixin
        RedisOptions redis;

        int reclaim(AdminCommand cmd, ClusterStore store, String cluster, String pattern) {
            if (rate < 0) {
                throw new IllegalArgumentException("--rate must not be negative");
            }
            Reclaim reclaim = new Reclaim(store, cluster, pattern, redis.auth(), redis.timeoutMs, rate);
            try (KeyProgress progress = KeyProgress.forOutput(cmd.out(), "reclaim " + pattern, reclaim.keyCount(), quiet)) {
                Reclaim.Result r = reclaim.run(progress);
                cmd.out().println("reclaimed " + pattern + ": " + r.deleted() + " keys deleted, " + r.scanned() + " scanned"
                        + (r.resumed() ? " (resumed)" : ""));
                return Exit.OK;
            } catch (IOException e) {
                cmd.err("reclaim stopped: " + e.getMessage() + "; run it again to resume");
                return Exit.UNREACHABLE;
            }
        }
    }
}
