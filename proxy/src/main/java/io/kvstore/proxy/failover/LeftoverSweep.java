package io.kvstore.proxy.failover;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.redis.RespClient;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Cache mode: when a failed group rejoins and takes slots back, the groups that served those slots
 * while it was away still hold the keys written meanwhile. Left there, they would be served again
 * (stale) if the slots ever came back to them: after a second failure of the same group, say. A
 * sweep SCANs such a group's master and UNLINKs the keys of slots that the rejoined group owns
 * now, re-reading the topology for every batch so that it never deletes a key of a slot its
 * server owns again. Stops as soon as {@code go} says so (leadership lost). Runs on the caller's
 * thread (the controller's sweep thread); blocking calls are bounded by the timeout.
 */
final class LeftoverSweep {

    private static final int COUNT = 500;

    private final BackendAuth auth;
    private final int timeoutMs;
    private final Supplier<Topology> topology;
    private final BooleanSupplier go;

    LeftoverSweep(BackendAuth auth, int timeoutMs, Supplier<Topology> topology, BooleanSupplier go) {
        this.auth = auth;
        this.timeoutMs = timeoutMs;
        this.topology = topology;
        this.go = go;
    }

    /**
     * The slots that {@code rejoined} owns in {@code after} but another group owned in
     * {@code before}, by that group: what each giver must sweep. Pure.
     */
    static Map<String, boolean[]> givenBack(Topology before, Topology after, String rejoined) {
        Map<String, boolean[]> byGiver = new HashMap<>();
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            String was = before.owner(slot);
            if (!was.equals(rejoined) && after.owner(slot).equals(rejoined)) {
                byGiver.computeIfAbsent(was, x -> new boolean[SlotHash.SLOTS])[slot] = true;
            }
        }
        return byGiver;
    }

    /**
     * Deletes, on {@code server}, the keys of {@code slots} while group {@code owner} owns them.
     * Returns how many keys were deleted; stops early (returning what it did) when told to.
     */
    long sweep(HostPort server, boolean[] slots, String owner) throws IOException {
        long deleted = 0;
        try (RespClient c = RespClient.connect(server, auth, Math.max(timeoutMs, 5_000))) {
            byte[] cursor = "0".getBytes(StandardCharsets.US_ASCII);
            do {
                if (!go.getAsBoolean()) {
                    return deleted;
                }
                List<?> reply = (List<?>) c.callRaw(bytes("SCAN"), cursor, bytes("COUNT"), bytes(Integer.toString(COUNT)));
                cursor = (byte[]) reply.get(0);
                List<byte[]> batch = new ArrayList<>();
                for (Object k : (List<?>) reply.get(1)) {
                    byte[] key = (byte[]) k;
                    if (slots[SlotHash.slot(key)]) {
                        batch.add(key);
                    }
                }
                if (batch.isEmpty()) {
                    continue;
                }
                Topology now = topology.get();
                List<byte[]> unlink = new ArrayList<>();
                unlink.add(bytes("UNLINK"));
                for (byte[] key : batch) {
                    if (now.owner(SlotHash.slot(key)).equals(owner)) {
                        unlink.add(key);
                    }
                }
                if (unlink.size() > 1 && go.getAsBoolean()) {
                    deleted += (Long) c.callRaw(unlink.toArray(byte[][]::new));
                }
            } while (!(cursor.length == 1 && cursor[0] == '0'));
        }
        return deleted;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
