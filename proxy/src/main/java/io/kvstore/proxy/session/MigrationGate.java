package io.kvstore.proxy.session;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.ReplySink;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
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

    /** Whether any of the keys at {@code keys} is in a migrating slot of {@code map}. */
    static boolean touchesMigration(SlotMap map, Request request, int[] keys) {
        if (!map.hasMigrations()) {
            return false;
        }
        for (int k : keys) {
            if (map.migrationTarget(KeySlot.of(request.frame(), request.argOffset(k), request.argLength(k))) >= 0) {
                return true;
            }
        }
        return false;
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
        int[] outstanding = {bySource.size()};
        String[] failure = {null};
        bySource.forEach((pair, list) -> {
            int source = pair / 65536;
            Group target = map.groups().get(targetOf.get(pair));
            ByteBuf migrate = migrate(session.alloc(), target, list);
            session.worker().backends().master(map, source, (int) session.id()).send(migrate, new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    try {
                        if (ReplyReader.isError(reply)) {
                            failure[0] = ReplyReader.line(reply, reply.readerIndex());
                        }
                    } finally {
                        reply.release();
                    }
                    done();
                }

                @Override
                public void onFailure(String message) {
                    failure[0] = message;
                    done();
                }

                private void done() {
                    if (--outstanding[0] > 0) {
                        return;
                    }
                    if (failure[0] != null) {
                        cleanup.run();
                        pending.onFailure("TRYAGAIN moving the key of a migrating slot failed: " + failure[0]);
                    } else {
                        then.run();
                    }
                }
            });
        });
    }

    /** {@code MIGRATE host port "" 0 timeout [AUTH ...] KEYS k...}: no REPLACE, so a key never overwrites a newer one. */
    private static ByteBuf migrate(ByteBufAllocator alloc, Group target, List<byte[]> keys) {
        List<byte[]> words = new ArrayList<>();
        words.add(bytes("MIGRATE"));
        words.add(bytes(target.master().host()));
        words.add(bytes(Integer.toString(target.master().port())));
        words.add(new byte[0]);
        words.add(bytes(Integer.toString(target.auth().db())));
        words.add(bytes(Integer.toString(MIGRATE_TIMEOUT_MILLIS)));
        BackendAuth auth = target.auth();
        if (auth.needsAuth()) {
            if (auth.user() == null) {
                words.add(bytes("AUTH"));
            } else {
                words.add(bytes("AUTH2"));
                words.add(bytes(auth.user()));
            }
            words.add(bytes(auth.password()));
        }
        words.add(bytes("KEYS"));
        words.addAll(keys);
        ByteBuf buf = alloc.buffer();
        Replies.writeLength(buf, '*', words.size());
        words.forEach(w -> Replies.writeBulk(buf, w));
        return buf;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
