package io.kvstore.proxy.resp;

import io.kvstore.proxy.stats.SlowLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The two framers on a read batch of {@value #BATCH} pipelined messages, as the event loop sees
 * them (a pooled direct buffer), reported per message. Lives in the framers' package to call
 * {@code decode} directly: the channel pipeline around it is Netty's cost, not ours. Per-thread
 * state, as a framer is per channel.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FramerBench {

    static final int BATCH = 16;

    private final RequestFramer requestFramer = new RequestFramer(FramerLimits.DEFAULTS);
    private final ReplyFramer replyFramer = new ReplyFramer();
    private final List<Object> out = new ArrayList<>(BATCH);
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
        return frame(requestFramer, setRequests);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int requestMget10() {
        return frame(requestFramer, mgetRequests);
    }

    /** What a request costs the slow log when it is dispatched (the copy of its arguments a slow reply would log). */
    @Benchmark
    public byte[] slowLogSnapshotSet() {
        return SlowLog.snapshot(oneSet);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyBulk() {
        return frame(replyFramer, bulkReplies);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replyArray10() {
        return frame(replyFramer, arrayReplies);
    }

    private int frame(RequestFramer framer, ByteBuf in) {
        in.readerIndex(0);
        framer.decode(null, in, out);
        return drain();
    }

    private int frame(ReplyFramer framer, ByteBuf in) {
        in.readerIndex(0);
        framer.decode(null, in, out);
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
