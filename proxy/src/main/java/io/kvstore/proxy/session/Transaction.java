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

    private static final ReplySink DISCARD = new ReplySink() {
        @Override
        public void onReply(ByteBuf reply) {
            reply.release();
        }

        @Override
        public void onFailure(String message) {
            // the EXEC that follows on the same connection fails too, and carries the error
        }
    };

    private final List<Request> queued = new ArrayList<>();
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

    void queue(Request request) {
        queued.add(request);
    }

    /** A queueing error: EXEC will answer EXECABORT. */
    void abort() {
        aborted = true;
    }

    boolean aborted() {
        return aborted;
    }

    /** Sends MULTI, the queued commands and EXEC to {@code conn}; EXEC's reply completes {@code target}. */
    void exec(BackendConnection conn, ByteBufAllocator alloc, ReplySink target) {
        conn.send(command(alloc, "MULTI"), DISCARD);
        for (Request r : queued) {
            conn.send(r.frame(), DISCARD);
        }
        queued.clear();
        conn.send(command(alloc, "EXEC"), target);
        reset();
    }

    /** Drops the queue and all state; returns whether the dedicated connection still has keys watched. */
    boolean discard() {
        boolean wasWatching = watching;
        queued.forEach(Request::release);
        queued.clear();
        reset();
        return wasWatching;
    }

    private void reset() {
        inMulti = false;
        aborted = false;
        watching = false;
        group = -1;
    }

    static ByteBuf command(ByteBufAllocator alloc, String name) {
        ByteBuf buf = alloc.buffer(name.length() + 16);
        Replies.writeLength(buf, '*', 1);
        Replies.writeBulk(buf, name.getBytes(StandardCharsets.US_ASCII));
        return buf;
    }

    static ReplySink discardingSink() {
        return DISCARD;
    }
}
