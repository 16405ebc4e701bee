package io.kvstore.admin.command;

import io.kvstore.admin.snapshot.BadSnapshot;
import io.kvstore.admin.snapshot.KeyProgress;
import io.kvstore.admin.snapshot.Restore;
import io.kvstore.admin.snapshot.SnapshotReader;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.SlotMap;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin restore CLUSTER DIR}: checks a snapshot whole (checksum, records, RDB
 * version against every master) and only then RESTOREs each key on the master that owns its slot
 * in CLUSTER, which need not have the groups the backup was taken from. Main thread only.
 */
@Command(name = "restore", description = {"Load a snapshot written by backup into a cluster, each key on the group that owns its slot there.",
        "The snapshot is checked whole first (checksum, every record, RDB version): a bad one is refused before any write."},
        footer = {"", "Example: kvstore-admin restore shop /backups/shop-2026-12-04", "", Exit.SUMMARY,
                "restore exits 4 when the snapshot is refused (corrupt, truncated, too new for the servers), slots migrate,",
                "or keys exist already without --replace (named); 5 when the slot map changed while it ran."})
public final class RestoreCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Parameters(index = "1", paramLabel = "DIR", description = "The directory backup wrote (state.bin and meta.json).")
    Path dir;

    @Option(names = "--replace", description = "Overwrite keys that exist already (without it they are left alone and listed).")
    boolean replace;

    @Option(names = "--rate", defaultValue = "0", description = "Keys written per second at most; 0 = no limit (default: ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Mixin
    RedisOptions redis;

    @Override
    protected int run() {
        try (ClusterStore store = openStore()) {
            Topology start = store.read(cluster).value();
            if (!start.migrating().isEmpty()) {
                throw new StoreException.Conflict("slots of cluster " + cluster + " are migrating; restore when no migration is under way");
            }
            SlotMap map = start.slotMap(BackendAuth.NONE);
            Restore restore = new Restore(redis.auth(), redis.timeoutMs, rate, replace);
            SnapshotReader.Verified snapshot;
            try {
                snapshot = SnapshotReader.verify(dir);
                restore.checkVersions(map, snapshot.maxRdbVersion());
            } catch (BadSnapshot e) {
                err("refused: " + e.getMessage() + "; nothing was written");
                return Exit.CONFLICT;
            }
            long started = System.currentTimeMillis();
            Restore.Result r;
            try (KeyProgress progress = KeyProgress.forOutput(out(), "restore", snapshot.keys(), quiet)) {
                r = restore.run(dir.resolve("state.bin"), map, progress);
            }
            long millis = Math.max(1, System.currentTimeMillis() - started);
            out().printf("restore of %s into %s: %d keys restored, %d expired since the backup (left out) in %.1f s (%d keys/s)%n",
                    snapshot.meta().path("cluster").asText("?"), cluster, r.restored(), r.expired(), millis / 1000.0,
                    snapshot.keys() * 1000 / millis);
            int exit = Exit.OK;
            if (r.failed() > 0) {
                err(r.failed() + " keys were refused by Redis: " + String.join("; ", r.failures())
                        + (r.failed() > r.failures().size() ? "; ..." : ""));
                exit = Exit.UNREACHABLE;
            }
            if (r.busy() > 0) {
                err(r.busy() + " keys exist already (BUSYKEY) and were left as they are: " + String.join(" ", r.busySample())
                        + (r.busy() > r.busySample().size() ? " ..." : "") + "; --replace overwrites them");
                exit = exit == Exit.OK ? Exit.CONFLICT : exit;
            }
            Topology end = store.read(cluster).value();
            if (!end.ranges().equals(start.ranges()) || !end.migrating().isEmpty()) {
                err("warning: the slot map of " + cluster + " changed while the restore ran (epoch " + start.epoch() + " to "
                        + end.epoch() + "): run kvstore-admin verify " + cluster + " to find keys on the wrong group");
                exit = exit == Exit.OK ? Exit.DEGRADED : exit;
            }
            return exit;
        } catch (IOException e) {
            err("restore failed: " + e.getMessage() + "; keys written before the failure stay: run it again with --replace");
            return Exit.UNREACHABLE;
        }
    }
}
