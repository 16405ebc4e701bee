package io.kvstore.proxy.session;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;

/**
 * {@code --write-acks N}: a write is followed, on the same backend connection, by
 * {@code WAIT N timeout}, and the client gets the write's reply only when at least N replicas
 * acknowledged it; otherwise {@code -NOREPLICAS}, since the write may be lost with its master.
 * Confined to the client's event loop.
 *
 * <p>WAIT counts every write sent on its connection before it, so on a shared connection it also
 * covers, and waits for, other clients' earlier writes: that is the latency cost of the option
 * (doc/failover.md).
 */
final class AckedWrite implements ReplySink {

    private static final byte[] WAIT = "WAIT".getBytes(StandardCharsets.US_ASCII);

    private final ReplySink target;
    private final int acks;
    private final long timeoutMillis;
    private final ByteBufAllocator alloc;
    private ByteBuf held;
    private String failure;

    private AckedWrite(ReplySink target, int acks, long timeoutMillis, ByteBufAllocator alloc) {
        this.target = target;
        this.acks = acks;
        this.timeoutMillis = timeoutMillis;
        this.alloc = alloc;
    }

    static void send(BackendConnection conn, ByteBuf frame, ReplySink target, int acks, long timeoutMillis, ByteBufAllocator alloc) {
        AckedWrite write = new AckedWrite(target, acks, timeoutMillis, alloc);
        conn.send(frame, write);
        ByteBuf wait = alloc.buffer(48);
        RespWriter.writeArrayHeader(wait, 3);
        RespWriter.writeBulk(wait, WAIT);
        RespWriter.writeBulk(wait, acks);
        RespWriter.writeBulk(wait, timeoutMillis);
        conn.send(wait, write.new Wait());
    }

    @Override
    public void onReply(ByteBuf reply) {
        held = reply;
    }

    @Override
    public void onFailure(String message) {
        failure = message;
    }

    /** The WAIT's reply decides what the client gets. */
    private final class Wait implements ReplySink {
        @Override
        public void onReply(ByteBuf reply) {
            long acked;
            try {
                acked = ReplyReader.type(reply) == ':' ? ReplyReader.number(reply, reply.readerIndex()) : -1;
            } finally {
                reply.release();
            }
            finish(acked);
        }

        @Override
        public void onFailure(String message) {
            finish(-1);
        }

        private void finish(long acked) {
            if (held == null) {
                target.onFailure(failure != null ? failure : "ERR the write got no reply");
            } else if (ReplyReader.isError(held) || acked >= acks) {
                target.onReply(held);
            } else {
                held.release();
                target.onFailure("NOREPLICAS the write reached " + Math.max(acked, 0) + " of the " + acks
                        + " replicas --write-acks asks for within " + timeoutMillis + " ms; it may be lost if its master fails");
            }
        }
    }
}
