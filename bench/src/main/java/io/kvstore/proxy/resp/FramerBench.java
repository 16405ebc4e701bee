package io.kvstore.proxy.resp;

import io.kvstore.proxy.stats.SlowLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The two framers on a read batch of {@value #BATCH} pipelined messages, as the event loop sees
 * them (a pooled direct buffer), reported per message. Lives in the framers' package to call
 * {@code decode} directly: the channel pipeline around it is Netty's cost, not ours. Per-thread
 * state, as a framer is per channel; modes, times and forks are set by scripts/bench-jmh.sh.
 */
@State(Scope.Thread)
public class FramerBench {

    static final int BATCH = 16;

    private final RequestFramer requestFramer = new RequestFramer(FramerLimits.DEFAULTS);
    private final ReplyFramer replyFramer = new ReplyFramer();
    private final List<Object> out = new ArrayList<>(BATCH);
    /** A framer's decode step, called directly (both framers' {@code decode} is protected, visible in this package). */
    private interface Decoder {
        void decode(ByteBuf in, List<Object> out);
    }

    private final Decoder requests = (in, o) -> requestFramer.decode(null, in, o);
    private final Decoder replies = (in, o) -> replyFramer.decode(null, in, o);
    private ByteBuf setRequests;
    private ByteBuf mgetRequests;
    private ByteBuf bulkReplies;
    private ByteBuf arrayReplies;
    private Request oneSet;

    @Setup(Level.Trial)
    public void setUp() {
        setRequests = batch("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000012345\r\n$3\r\nxxx\r\n");
        StringBuilder mget = new StringBuilder("*11\r\n$4\r\nMGET\r\n");
        StringBuilder array = new StringBuilder("*10\r\n");
        for (int i = 0; i < 10; i++) {
            mget.append("$16\r\nkey:00000001234").append(i).append("\r\n");
            array.append("$3\r\nxxx\r\n");
        }
        mgetRequests = batch(mget.toString());
        bulkReplies = batch("$3\r\nxxx\r\n");
        arrayReplies = batch(array.toString());
        oneSet = Request.of(PooledByteBufAllocator.DEFAULT, List.of("SET".getBytes(StandardCharsets.US_ASCII),
                "key:000000012345".getBytes(StandardCharsets.US_ASCII), "xxx".getBytes(StandardCharsets.US_ASCII)));
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        setRequests.release();
        mgetRequests.release();
        bulkReplies.release();
        arrayReplies.release();
        oneSet.release();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int requestSet() {
        return frame(requests, setRequests);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int requestMget10() {
        return frame(requests, mgetRequests);
    }

    /** What a request costs the slow log when it is dispatched (the copy of its arguments a slow reply would log). */
    @Benchmark
    public byte[] slowLogSnapshotSet() {
        return SlowLog.snapshot(oneSet);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyBulk() {
        return frame(replies, bulkReplies);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyArray10() {
        return frame(replies, arrayReplies);
    }

    private int frame(Decoder decoder, ByteBuf in) {
        in.readerIndex(0);
        decoder.decode(in, out);
        return drain();
    }

    private int drain() {
        int n = out.size();
        if (n != BATCH) {
            throw new IllegalStateException("framed " + n + " messages, expected " + BATCH);
        }
        for (int i = 0; i < n; i++) {
            ReferenceCountUtil.release(out.get(i));
        }
        out.clear();
        return n;
    }

    private static ByteBuf batch(String one) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        for (int i = 0; i < BATCH; i++) {
            buf.writeCharSequence(one, StandardCharsets.US_ASCII);
        }
        return buf;
    }
}
