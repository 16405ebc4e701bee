package io.kvstore.proxy.session;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.backend.ReplySink;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * MULTI/EXEC and WATCH state of one client. Confined to the client's event loop.
 *
 * <p>A transaction binds to the group of its first key (or of its WATCH). Commands between MULTI
 * and EXEC are checked and queued here, answered {@code +QUEUED}; EXEC sends MULTI, the queue and
 * EXEC in one go on the client's dedicated connection to that group, so no other client's command
 * can interleave and Redis runs them atomically. A key of another group aborts the transaction
 * with -CROSSSLOT, and EXEC then answers -EXECABORT, as Redis does after a queueing error.
 *
 * <p>Invariant: {@code queued} is empty unless {@code inMulti}; {@code group} is -1 while no key
 * (or WATCH) has chosen a group.
 */
final class Transaction {

    private final List<Request> queued = new ArrayList<>();
    private final List<int[]> queuedKeys = new ArrayList<>();
    private boolean inMulti;
    private boolean aborted;
    private boolean watching;
    private int group = -1;

    boolean inMulti() {
        return inMulti;
    }

    int group() {
        return group;
    }

    boolean watching() {
        return watching;
    }

    /** Binds to {@code g}; false when already bound to another group. */
    boolean bind(int g) {
        if (g < 0 || group == g) {
            return true;
        }
        if (group >= 0) {
            return false;
        }
        group = g;
        return true;
    }

    void watched() {
        watching = true;
    }

    void begin() {
        inMulti = true;
        aborted = false;
    }

    /** The first frozen slot of {@code map} a queued command touches, or -1. */
    int frozenSlot(io.kvstore.config.SlotMap map) {
        for (int i = 0; i < queued.size(); i++) {
            int slot = MigrationGate.frozenSlot(map, queued.get(i), queuedKeys.get(i));
            if (slot >= 0) {
                return slot;
            }
        }
        return -1;
    }

    void queue(Request request, int[] keys) {
        queued.add(request);
        queuedKeys.add(keys);
    }

    /**
     * The commands of a transaction at EXEC, taken out of the client's state at once so that
     * commands pipelined after EXEC are not queued into it while its keys are being moved.
     *
     * @param watchGroup the group WATCH was sent to, or -1
     */
    record Prepared(List<Request> requests, List<int[]> keys, int watchGroup) {

        /** Whether a command touches a migrating slot of {@code map}. */
        boolean touchesMigration(io.kvstore.config.SlotMap map) {
            for (int i = 0; i < requests.size(); i++) {
                if (MigrationGate.touchesMigration(map, requests.get(i), keys.get(i))) {
                    return true;
                }
            }
            return false;
        }

        /** The group of every key under {@code map} (the WATCH group if none): -1 for none, -2 when they differ. */
        int groupUnder(io.kvstore.config.SlotMap map) {
            int g = watchGroup;
            for (int i = 0; i < requests.size(); i++) {
                int q = CommandDispatcher.groupOfKeys(map, requests.get(i), keys.get(i));
                if (q == -2 || (q >= 0 && g >= 0 && q != g)) {
                    return -2;
                }
                g = q >= 0 ? q : g;
            }
            return g;
        }

        void release() {
            requests.forEach(Request::release);
        }

        /** Sends MULTI, the commands and EXEC to {@code conn}; EXEC's reply completes {@code target}. */
        void exec(BackendConnection conn, ByteBufAllocator alloc, ReplySink target) {
            conn.send(command(alloc, "MULTI"), ReplySink.discarding());
            for (Request r : requests) {
                conn.send(r.frame(), ReplySink.discarding()); // EXEC's reply carries theirs
            }
            conn.send(command(alloc, "EXEC"), target);
        }
    }

    /** Ends the transaction and hands its commands over (EXEC). */
    Prepared take() {
        Prepared p = new Prepared(new ArrayList<>(queued), new ArrayList<>(queuedKeys), watching ? group : -1);
        queued.clear();
        queuedKeys.clear();
        reset();
        return p;
    }

    /** A queueing error: EXEC will answer EXECABORT. */
    void abort() {
        aborted = true;
    }

    boolean aborted() {
        return aborted;
    }

    /** Drops the queue and all state; returns whether the dedicated connection still has keys watched. */
    boolean discard() {
        boolean wasWatching = watching;
        queued.forEach(Request::release);
        queued.clear();
        queuedKeys.clear();
        reset();
        return wasWatching;
    }

    private void reset() {
        inMulti = false;
        aborted = false;
        watching = false;
        group = -1;
    }

    /** A command of the proxy's own (MULTI, EXEC, UNWATCH, HELLO 3) as a request frame. */
    static ByteBuf command(ByteBufAllocator alloc, String... words) {
        ByteBuf buf = alloc.buffer(16 * words.length + 16);
        Replies.writeLength(buf, '*', words.length);
        for (String w : words) {
            Replies.writeBulk(buf, w.getBytes(StandardCharsets.US_ASCII));
        }
        return buf;
    }

}
