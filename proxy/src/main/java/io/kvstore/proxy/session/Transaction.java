package io.kvstore.proxy.session;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * MULTI/EXEC and WATCH state of one client. Confined to the client's event loop.
 *
 * <p>A transaction binds to the scope of its first key or of its WATCH: a slot, or a group with
 * {@code --multi-key-scope group} (see {@link MultiKeyScope}). Commands between MULTI and EXEC are
 * checked and queued here, answered {@code +QUEUED}; EXEC sends MULTI, the queue and EXEC in one
 * go on the client's dedicated connection to the scope's group, so no other client's command can
 * interleave and Redis runs them atomically. As in Redis Cluster, a command whose own keys span
 * scopes gets -CROSSSLOT and aborts the transaction (EXEC then answers -EXECABORT), while commands
 * each within one scope but not the same one are queued and EXEC answers -CROSSSLOT.
 *
 * <p>Invariant: {@code queued} is empty unless {@code inMulti}; {@code queuedKeys} and
 * {@code queuedReplies} (key rewrite's reply filter of each command, null for none) run parallel to it; {@code scope} is -1 while no key
 * (or WATCH) has chosen one; {@code watchGroup} is the group WATCH was sent to, -1 when none.
 */
final class Transaction {

    private final List<Request> queued = new ArrayList<>();
    private final List<int[]> queuedKeys = new ArrayList<>();
    private final List<UnaryOperator<ByteBuf>> queuedReplies = new ArrayList<>();
    private boolean inMulti;
    private boolean aborted;
    private boolean crossed;
    private boolean watching;
    private int scope = -1;
    private int watchGroup = -1;

    boolean inMulti() {
        return inMulti;
    }

    /** The group WATCH was sent to (its dedicated connection holds the watched keys), or -1. */
    int watchGroup() {
        return watchGroup;
    }

    boolean watching() {
        return watching;
    }

    /** Binds to scope id {@code s}; false when already bound to another scope. */
    boolean bind(int s) {
        if (s < 0 || scope == s) {
            return true;
        }
        if (scope >= 0) {
            return false;
        }
        scope = s;
        return true;
    }

    /** Keys were watched on the dedicated connection to {@code group}. */
    void watched(int group) {
        watching = true;
        watchGroup = group;
    }

    /** A queued command's scope differs from the transaction's: EXEC will answer -CROSSSLOT. */
    void cross() {
        crossed = true;
    }

    boolean crossed() {
        return crossed;
    }

    void begin() {
        inMulti = true;
        aborted = false;
        crossed = false;
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

    void queue(Request request, int[] keys, UnaryOperator<ByteBuf> replies) {
        queued.add(request);
        queuedKeys.add(keys);
        queuedReplies.add(replies);
    }

    /**
     * The commands of a transaction at EXEC, taken out of the client's state at once so that
     * commands pipelined after EXEC are not queued into it while its keys are being moved.
     *
     * @param replies key rewrite's filter of each command's reply (null for none)
     * @param watchGroup the group WATCH was sent to, or -1
     */
    record Prepared(List<Request> requests, List<int[]> keys, List<UnaryOperator<ByteBuf>> replies, int watchGroup) {

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
        int groupUnder(io.kvstore.config.SlotMap map, MultiKeyScope scope) {
            int g = watchGroup;
            for (int i = 0; i < requests.size(); i++) {
                int q = scope.groupOf(map, requests.get(i), keys.get(i));
                if (q == MultiKeyScope.CROSS || (q >= 0 && g >= 0 && q != g)) {
                    return MultiKeyScope.CROSS;
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
            conn.send(RespWriter.command(alloc, "MULTI"), ReplySink.discarding());
            for (Request r : requests) {
                conn.send(r.frame(), ReplySink.discarding()); // EXEC's reply carries theirs
            }
            conn.send(RespWriter.command(alloc, "EXEC"), target);
        }
    }

    /** Ends the transaction and hands its commands over (EXEC). */
    Prepared take() {
        Prepared p = new Prepared(new ArrayList<>(queued), new ArrayList<>(queuedKeys), new ArrayList<>(queuedReplies),
                watching ? watchGroup : -1);
        queued.clear();
        queuedKeys.clear();
        queuedReplies.clear();
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
        queuedReplies.clear();
        reset();
        return wasWatching;
    }

    private void reset() {
        inMulti = false;
        aborted = false;
        crossed = false;
        watching = false;
        scope = -1;
        watchGroup = -1;
    }


}
