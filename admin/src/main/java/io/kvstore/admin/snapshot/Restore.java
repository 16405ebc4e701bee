package io.kvstore.admin.snapshot;

import io.kvstore.admin.reshard.RateLimit;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loads a verified snapshot into a cluster through its slot map: each key is RESTOREd (with its
 * absolute expiry, {@code ABSTTL}) on the master of the group that owns its slot, whatever group
 * held it when the backup was taken. Commands are batched per group and pipelined. Keys already
 * expired are skipped. Without {@code replace} an existing key is not touched: Redis answers
 * BUSYKEY, and the key is counted and named in the result. Main thread only.
 */
public final class Restore {

    /** Commands per pipelined batch to one group. */
    static final int BATCH = 500;
    /** Payload bytes per batch, so that a few huge keys do not make one huge write. */
    static final long BATCH_BYTES = 8 << 20;
    /** How many BUSYKEY keys and other failures are kept to be named. */
    static final int SAMPLE = 20;

    /** What the restore did. */
    public record Result(long restored, long expired, long busy, List<String> busySample, long failed, List<String> failures) {
    }

    private final BackendAuth auth;
    private final int timeoutMs;
    private final RateLimit rate;
    private final boolean replace;

    public Restore(BackendAuth auth, int timeoutMs, int keysPerSecond, boolean replace) {
        this.auth = auth;
        this.timeoutMs = timeoutMs;
        this.rate = new RateLimit(keysPerSecond);
        this.replace = replace;
    }

    /**
     * Refuses ({@link BadSnapshot}) when a master of {@code map} that owns slots runs a Redis whose RDB version is
     * older than {@code rdbVersion}: RESTORE would refuse every key of the newer format.
     */
    public void checkVersions(SlotMap map, int rdbVersion) throws IOException {
        boolean[] owns = new boolean[map.groups().size()];
        for (short owner : map.ownerArray()) {
            owns[owner] = true;
        }
        for (int i = 0; i < owns.length; i++) {
            if (!owns[i]) {
                continue; // a failed group, say: nothing will be written to it
            }
            Group g = map.groups().get(i);
            try (RespClient c = RespClient.connect(g.master(), auth, timeoutMs)) {
                String version = c.info("server").getOrDefault("redis_version", "0");
                int accepts = SnapshotFormat.rdbVersionOf(version);
                if (accepts < rdbVersion) {
                    throw new BadSnapshot("the snapshot holds RDB version " + rdbVersion + " payloads; master " + g.master()
                            + " of group " + g.id() + " runs Redis " + version + ", which reads RDB " + accepts
                            + " at most: upgrade it, or restore into servers as new as the backup's");
                }
            }
        }
    }

    /** Restores every key of {@code state} through {@code map}. */
    public Result run(Path state, SlotMap map, KeyProgress progress) throws IOException {
        Map<Integer, Batch> batches = new HashMap<>();
        Tally tally = new Tally();
        try (SnapshotReader in = new SnapshotReader(state)) {
            for (SnapshotReader.Entry e = in.next(); e != null; e = in.next()) {
                if (e.expireAt() != 0 && e.expireAt() <= System.currentTimeMillis()) {
                    tally.expired++;
                    progress.add(1, 0);
                    continue;
                }
                int group = map.groupIndex(SlotHash.slot(e.key()));
                Batch b = batches.get(group);
                if (b == null) {
                    b = new Batch(RespClient.connect(map.groups().get(group).master(), auth, Math.max(timeoutMs, 60_000)));
                    batches.put(group, b);
                }
                b.add(restoreCommand(e, replace), e.payload().length);
                if (b.commands.size() >= BATCH || b.bytes >= BATCH_BYTES) {
                    b.flush(tally, progress);
                }
            }
            for (Batch b : batches.values()) {
                b.flush(tally, progress);
            }
        } finally {
            batches.values().forEach(b -> b.client.close());
        }
        return new Result(tally.restored, tally.expired, tally.busy, tally.busySample, tally.failed, tally.failures);
    }

    /** {@code RESTORE key expireAt payload [REPLACE] ABSTTL}: the command restore and parse-snapshot send. */
    public static byte[][] restoreCommand(SnapshotReader.Entry e, boolean replace) {
        byte[] ttl = Backup.ascii(Long.toString(e.expireAt()));
        return replace ? new byte[][] {RESTORE, e.key(), ttl, e.payload(), REPLACE, ABSTTL}
                : new byte[][] {RESTORE, e.key(), ttl, e.payload(), ABSTTL};
    }

    private static final byte[] RESTORE = Backup.ascii("RESTORE");
    private static final byte[] REPLACE = Backup.ascii("REPLACE");
    private static final byte[] ABSTTL = Backup.ascii("ABSTTL");

    private static final class Tally {
        long restored;
        long expired;
        long busy;
        long failed;
        final List<String> busySample = new ArrayList<>();
        final List<String> failures = new ArrayList<>();
    }

    /** The commands waiting for one group's master. */
    private final class Batch {
        final RespClient client;
        final List<byte[][]> commands = new ArrayList<>();
        long bytes;

        Batch(RespClient client) {
            this.client = client;
        }

        void add(byte[][] command, int payloadBytes) {
            commands.add(command);
            bytes += payloadBytes;
        }

        void flush(Tally tally, KeyProgress progress) throws IOException {
            if (commands.isEmpty()) {
                return;
            }
            rate.acquire(commands.size());
            List<Object> replies = client.pipeline(commands);
            for (int i = 0; i < replies.size(); i++) {
                Object r = replies.get(i);
                String key = Readable.quote(commands.get(i)[1]);
                if (!(r instanceof RespClient.RedisError e)) {
                    tally.restored++;
                } else if (e.getMessage().startsWith("BUSYKEY")) {
                    tally.busy++;
                    if (tally.busySample.size() < SAMPLE) {
                        tally.busySample.add(key);
                    }
                } else {
                    tally.failed++;
                    if (tally.failures.size() < SAMPLE) {
                        tally.failures.add(key + " on " + client.address() + ": " + e.getMessage());
                    }
                }
            }
            progress.add(commands.size(), bytes);
            commands.clear();
            bytes = 0;
        }
    }
}
