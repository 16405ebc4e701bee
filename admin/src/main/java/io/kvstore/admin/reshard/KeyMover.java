package io.kvstore.admin.reshard;

import io.kvstore.admin.redis.KeyScan;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.MigrateCommand;
import io.kvstore.config.SlotHash;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Moves every key of some slots off one redis-server: SCAN passes over the source, keeping the
 * keys whose slot is migrating, and {@code MIGRATE ... KEYS} in batches to each slot's target,
 * until a whole pass finds none. Stateless between calls: {@link #moveAll} may run for several
 * sources at once, each call on its own thread with its own connection.
 *
 * <p>Why passes end: while the slots are marked migrating, every proxy moves a key to the target
 * before touching it, so no key of these slots is created or rewritten on the source; each pass
 * can only find fewer. MIGRATE is atomic on the source and never replaces a key on the target, so
 * a key a proxy moved first is simply not found again (NOKEY), and a stale copy can never
 * overwrite a newer one.
 */
final class KeyMover {

    static final int MIGRATE_TIMEOUT_MILLIS = 10_000;
    static final int MAX_PASSES = 50;

    private static final byte[] ZERO = {'0'};
    private static final byte[] SCAN = bytes("SCAN");
    private static final byte[] COUNT = bytes("COUNT");

    private final BackendAuth auth;
    private final RateLimit rate;
    private final MoveTuning tuning;
    private final long batchNanos;
    private final int scanCount;
    private final LongConsumer moved;

    /**
     * {@code rate} may be shared by the movers of several sources, {@code moved} is called from each
     * mover's thread; {@code batchNanos} bounds a MIGRATE's time and {@code scanCount} a SCAN's
     * size (the tuning's --batch-ms and --scan-count, or less under latency pacing).
     */
    KeyMover(BackendAuth auth, RateLimit rate, MoveTuning tuning, long batchNanos, int scanCount, LongConsumer moved) {
        this.auth = auth;
        this.rate = rate;
        this.tuning = tuning;
        this.batchNanos = batchNanos;
        this.scanCount = scanCount;
        this.moved = moved;
    }

    /** Moves the keys of {@code targets}' slots (slot to target group) from {@code source}; returns how many were sent. */
    long moveAll(Group source, Map<Integer, Group> targets) throws IOException {
        long total = 0;
        BatchSizer sizer = new BatchSizer(tuning.batchKeys(), batchNanos); // what it learns holds for the source
        try (RespClient src = RespClient.connect(source.master(), auth, MIGRATE_TIMEOUT_MILLIS * 2)) {
            for (int pass = 1; pass <= MAX_PASSES; pass++) {
                long found = pass(src, targets, sizer);
                total += found;
                if (found == 0) {
                    return total;
                }
            }
        }
        throw new IOException("keys of the migrating slots keep appearing on " + source.master()
                + " after " + MAX_PASSES + " passes: is a client writing to it directly, bypassing the proxies?");
    }

    /**
     * Removes from {@code group} every key of {@code slots}, which it does not own: keys left
     * behind when ownership moved without the data ({@code --no-data}, {@code slots assign}).
     * Called before those slots are marked migrating to the group: until then no proxy routes
     * them there, so nothing of value is removed, and afterwards a stale copy could neither come
     * back to life nor make MIGRATE fail with BUSYKEY. Returns how many were removed.
     */
    long purge(Group group, java.util.Set<Integer> slots) throws IOException {
        long[] removed = {0};
        try (RespClient c = RespClient.connect(group.master(), auth, MIGRATE_TIMEOUT_MILLIS * 2)) {
            KeyScan.pass(c, scanCount, keys -> {
                List<byte[]> words = new ArrayList<>();
                words.add(bytes("UNLINK"));
                for (byte[] k : keys) {
                    if (slots.contains(SlotHash.slot(k))) {
                        words.add(k);
                    }
                }
                if (words.size() > 1) {
                    rate.acquire(words.size() - 1);
                    c.callRaw(words.toArray(byte[][]::new));
                    removed[0] += words.size() - 1;
                }
            });
        }
        return removed[0];
    }

    /**
     * One SCAN pass, overlapped with the moving: the SCAN for the next cursor goes out in the same
     * write as the first MIGRATE of the keys the previous one found, so a pass costs one round trip
     * per SCAN fewer. Only one MIGRATE rides with a SCAN: Redis runs a client's pipelined commands
     * back to back, and a longer train would hold the source's other clients for all of them.
     */
    private long pass(RespClient src, Map<Integer, Group> targets, BatchSizer sizer) throws IOException {
        long found = 0;
        List<?> reply = (List<?>) src.callRaw(scanWords(ZERO));
        while (true) {
            byte[] cursor = (byte[]) reply.get(0);
            List<?> scanned = (List<?>) reply.get(1);
            byte[][] nextScan = isZero(cursor) ? null : scanWords(cursor);
            if (tuning.maxLatencyRatio() == 0) {
                // Scanning costs too: 10 keys looked at = 1 moved. Not when pacing by latency: there
                // each SCAN is held to half the latency budget, so a client that lands on one stays
                // within the bound; charged to a low key rate, the passes (mostly finding nothing)
                // would become the slowest part of the move.
                rate.acquire(Math.max(1, scanned.size() / 10));
            }
            List<?> nextReply = null;
            for (Map.Entry<Group, List<byte[]>> e : byTarget(scanned, targets).entrySet()) {
                List<byte[]> keys = e.getValue();
                int from = 0;
                while (from < keys.size()) {
                    List<byte[]> batch = keys.subList(from, Math.min(keys.size(), from + sizer.next()));
                    rate.acquire(batch.size());
                    byte[][] migrate = MigrateCommand.words(e.getKey(), MIGRATE_TIMEOUT_MILLIS, batch).toArray(byte[][]::new);
                    long t0 = System.nanoTime();
                    if (nextScan != null) {
                        List<Object> replies = src.pipeline(List.of(nextScan, migrate));
                        nextReply = (List<?>) ok(replies.get(0), "SCAN on the source");
                        ok(replies.get(1), "MIGRATE from the source to " + e.getKey().master());
                        nextScan = null;
                    } else {
                        migrate(src, e.getKey(), migrate);
                    }
                    sizer.took(batch.size(), System.nanoTime() - t0);
                    from += batch.size();
                    found += batch.size();
                    moved.accept(batch.size());
                }
            }
            if (isZero(cursor)) {
                return found;
            }
            reply = nextReply != null ? nextReply : (List<?>) src.callRaw(nextScan);
        }
    }

    /** The scanned keys whose slot is migrating, by target group, in scan order. */
    private static Map<Group, List<byte[]>> byTarget(List<?> scanned, Map<Integer, Group> targets) {
        Map<Group, List<byte[]>> out = new LinkedHashMap<>();
        for (Object k : scanned) {
            byte[] key = (byte[]) k;
            Group target = targets.get(SlotHash.slot(key));
            if (target != null) {
                out.computeIfAbsent(target, t -> new ArrayList<>()).add(key);
            }
        }
        return out;
    }

    private byte[][] scanWords(byte[] cursor) {
        return new byte[][] {SCAN, cursor, COUNT, bytes(Integer.toString(scanCount))};
    }

    private static boolean isZero(byte[] cursor) {
        return cursor.length == 1 && cursor[0] == '0';
    }

    /** A pipelined reply, or the error it carries as an IOException naming what failed. */
    private static Object ok(Object reply, String what) throws IOException {
        if (reply instanceof RespClient.RedisError e) {
            throw new IOException(what + " failed: " + e.getMessage(), e);
        }
        return reply;
    }

    private void migrate(RespClient src, Group target, byte[][] words) throws IOException {
        try {
            src.callRaw(words);
        } catch (RespClient.RedisError e) {
            throw new IOException("MIGRATE from the source to " + target.master() + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
