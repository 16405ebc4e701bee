package io.kvstore.proxy.stats;

import io.netty.buffer.ByteBuf;

/**
 * One command's figures on one event loop: total time in the proxy of each call (request framed
 * to reply written to the client), calls whose reply is an error ({@code failed}) and calls the
 * proxy refused before running them ({@code rejected}, not counted as calls, as in Redis).
 * Written only by the loop that owns it; read by any thread.
 */
public final class CommandStats {

    private final String name;
    private final Latency total = new Latency();
    private final Counter calls = new Counter();
    private final Counter rejected = new Counter();
    private final Counter failed = new Counter();
    private final LoopStats loop;

    CommandStats(String name, LoopStats loop) {
        this.name = name;
        this.loop = loop;
    }

    public String name() {
        return name;
    }

    /**
     * A call's reply is being written: records it and returns its time in the proxy in
     * nanoseconds, or -1 for a rejected call. Only from the owning loop.
     */
    public long replied(long startNanos, ByteBuf reply, boolean wasRejected) {
        boolean error = isError(reply);
        if (error) {
            loop.error(ErrorKind.of(reply));
        }
        if (wasRejected) {
            rejected.add(1);
            return -1;
        }
        long nanos = loop.now() - startNanos;
        calls.add(1);
        total.record(nanos);
        if (error) {
            failed.add(1);
        }
        return nanos;
    }

    /** Whether {@code reply} is an error: a simple error, or in RESP3 a blob error. */
    static boolean isError(ByteBuf reply) {
        if (reply == null || !reply.isReadable()) {
            return false;
        }
        byte first = reply.getByte(reply.readerIndex());
        return first == '-' || first == '!';
    }

    Latency total() {
        return total;
    }

    long calls() {
        return calls.get();
    }

    long rejected() {
        return rejected.get();
    }

    long failed() {
        return failed.get();
    }
}
