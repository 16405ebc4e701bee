package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.MigrateCommand;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.kvstore.proxy.split.Gather;
import io.kvstore.proxy.split.Merges;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Keeps commands correct while their slots migrate. Before a command touches a key of a
 * migrating slot, the proxy moves that key from the slot's owner to the migration target with
 * {@code MIGRATE ... KEYS} (atomic on the source: the key is in exactly one place at any time),
 * and only then runs the command, routed as if the migration were done. A key that is not on the
 * source (already moved, or new) answers NOKEY and the command goes to the target all the same.
 * Stateless; runs on the client's event loop.
 *
 * <p>Order: the MIGRATE goes on the client's shared connection to the source, so two commands of
 * one client on one key are moved, and then run on the target, in the order they were sent.
 */
final class MigrationGate {

    /** How long one MIGRATE may take on the source before Redis gives up (ms). */
    static final int MIGRATE_TIMEOUT_MILLIS = 5000;

    private MigrationGate() {
    }

    /**
     * The first frozen slot of {@code map} among the keys at {@code keys}, or -1. Commands on a
     * frozen slot wait (see {@link HeldRequests#holdWhileFrozen}): the slot is marked to migrate
     * but some proxy may still serve it from the source, so moving a key now could hide it from that
     * proxy, and serving it from the source could miss a key another proxy already moved.
     */
    static int frozenSlot(SlotMap map, Request request, int[] keys) {
        return map.hasFrozen() ? firstSlot(request, keys, map::isFrozen) : -1;
    }

    /** Whether any of the keys at {@code keys} is in a migrating slot of {@code map}. */
    static boolean touchesMigration(SlotMap map, Request request, int[] keys) {
        return map.hasMigrations() && firstSlot(request, keys, slot -> map.migrationTarget(slot) >= 0) >= 0;
    }

    /** The slot of the first key at {@code keys} whose slot passes {@code test}, or -1. */
    private static int firstSlot(Request request, int[] keys, java.util.function.IntPredicate test) {
        for (int k : keys) {
            int slot = KeySlot.of(request.frame(), request.argOffset(k), request.argLength(k));
            if (test.test(slot)) {
                return slot;
            }
        }
        return -1;
    }

    /**
     * Moves the keys at {@code keys} that are in migrating slots to their targets, then runs
     * {@code then}; if a move fails, {@code cleanup} runs (releasing the requests), {@code pending}
     * gets a -TRYAGAIN error and {@code then} never runs.
     */
    static void moveThen(ClientSession session, SlotMap map, List<Request> requests, List<int[]> keys,
                         PendingReply pending, Runnable then, Runnable cleanup) {
        Map<Integer, List<byte[]>> bySource = new LinkedHashMap<>();
        Map<Integer, Integer> targetOf = new LinkedHashMap<>();
        for (int r = 0; r < requests.size(); r++) {
            Request request = requests.get(r);
            for (int k : keys.get(r)) {
                int slot = KeySlot.of(request.frame(), request.argOffset(k), request.argLength(k));
                int target = map.migrationTarget(slot);
                if (target < 0) {
                    continue;
                }
                int source = map.groupIndex(slot);
                bySource.computeIfAbsent(source * 65536 + target, x -> new ArrayList<>()).add(request.argBytes(k));
                targetOf.put(source * 65536 + target, target);
            }
        }
        if (bySource.isEmpty()) {
            then.run();
            return;
        }
        // One MIGRATE per (source, target); when all have answered, an error from any stops the command.
        Gather gather = new Gather(new ReplySink() {
            @Override
            public void onReply(ByteBuf merged) {
                String error = ReplyReader.isError(merged) ? ReplyReader.line(merged, merged.readerIndex()) : null;
                merged.release();
                if (error != null) {
                    cleanup.run();
                    pending.onFailure("TRYAGAIN moving the key of a migrating slot failed: " + error);
                } else {
                    then.run();
                }
            }

            @Override
            public void onFailure(String message) {
                onReply(Replies.error(session.alloc(), message));
            }
        }, Merges.of(MergeKind.ALL_OK), session.alloc(), bySource.size());
        int fragment = 0;
        for (Map.Entry<Integer, List<byte[]>> e : bySource.entrySet()) {
            Group target = map.groups().get(targetOf.get(e.getKey()));
            ByteBuf migrate = Request.of(session.alloc(), MigrateCommand.words(target, MIGRATE_TIMEOUT_MILLIS, e.getValue())).frame();
            session.connections().shared(map, e.getKey() / 65536).send(migrate, gather.fragment(fragment++));
        }
    }
}
