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
 * until a whole pass finds none. One instance per source group and step; driver thread only.
 *
 * <p>Why passes end: while the slots are marked migrating, every proxy moves a key to the target
 * before touching it, so no key of these slots is created or rewritten on the source; each pass
 * can only find fewer. MIGRATE is atomic on the source and never replaces a key on the target, so
 * a key a proxy moved first is simply not found again (NOKEY), and a stale copy can never
 * overwrite a newer one.
 */
final class KeyMover {

    static final int SCAN_COUNT = 100;
    static final int BATCH = 10;
    static final int MIGRATE_TIMEOUT_MILLIS = 10_000;
    static final int MAX_PASSES = 50;

    private final BackendAuth auth;
    private final RateLimit rate;
    private final LongConsumer moved;

    KeyMover(BackendAuth auth, RateLimit rate, LongConsumer moved) {
        this.auth = auth;
        this.rate = rate;
        this.moved = moved;
    }

    /** Moves the keys of {@code targets}' slots (slot to target group) from {@code source}; returns how many were sent. */
    long moveAll(Group source, Map<Integer, Group> targets) throws IOException {
        long total = 0;
        try (RespClient src = RespClient.connect(source.master(), auth, MIGRATE_TIMEOUT_MILLIS * 2)) {
            for (int pass = 1; pass <= MAX_PASSES; pass++) {
                long found = pass(src, targets);
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
            KeyScan.pass(c, SCAN_COUNT, keys -> {
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

    private long pass(RespClient src, Map<Integer, Group> targets) throws IOException {
        long[] found = {0};
        KeyScan.pass(src, SCAN_COUNT, keys -> {
            rate.acquire(Math.max(1, keys.size() / 10)); // scanning costs too: 10 keys looked at = 1 moved
            Map<Group, List<byte[]>> byTarget = new LinkedHashMap<>();
            for (byte[] key : keys) {
                Group target = targets.get(SlotHash.slot(key));
                if (target != null) {
                    byTarget.computeIfAbsent(target, t -> new ArrayList<>()).add(key);
                }
            }
            for (Map.Entry<Group, List<byte[]>> e : byTarget.entrySet()) {
                List<byte[]> batchKeys = e.getValue();
                for (int from = 0; from < batchKeys.size(); from += BATCH) {
                    List<byte[]> batch = batchKeys.subList(from, Math.min(batchKeys.size(), from + BATCH));
                    rate.acquire(batch.size());
                    migrate(src, e.getKey(), batch);
                    found[0] += batch.size();
                    moved.accept(batch.size());
                }
            }
        });
        return found[0];
    }

    private void migrate(RespClient src, Group target, List<byte[]> keys) throws IOException {
        List<byte[]> words = MigrateCommand.words(target, MIGRATE_TIMEOUT_MILLIS, keys);
        try {
            src.callRaw(words.toArray(byte[][]::new));
        } catch (RespClient.RedisError e) {
            throw new IOException("MIGRATE from the source to " + target.master() + " failed: " + e.getMessage(), e);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
