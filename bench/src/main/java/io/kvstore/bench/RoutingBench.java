package io.kvstore.bench;

import io.kvstore.config.SlotHash;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What routing a request costs: the command-table lookup of its name and the slot of its key
 * (CRC16, with and without a hash tag), read in place from a pooled direct buffer as the event
 * loop has them. Per-thread state; modes, times and forks are set by scripts/bench-jmh.sh.
 */
@State(Scope.Thread)
public class RoutingBench {

    private static final String PLAIN = "key:000000012345";
    private static final String TAGGED = "{user:1000}:followers";

    private final CommandTable table = CommandTable.load();
    private final byte[] plainBytes = PLAIN.getBytes(StandardCharsets.US_ASCII);
    private ByteBuf buf;
    private int plainAt;
    private int taggedAt;
    private int getAt;
    private int mgetAt;

    @Setup(Level.Trial)
    public void setUp() {
        buf = PooledByteBufAllocator.DEFAULT.directBuffer();
        plainAt = put(PLAIN);
        taggedAt = put(TAGGED);
        getAt = put("get");
        mgetAt = put("MGET");
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        buf.release();
    }

    @Benchmark
    public int slotPlainKey() {
        return KeySlot.of(buf, plainAt, PLAIN.length());
    }

    @Benchmark
    public int slotTaggedKey() {
        return KeySlot.of(buf, taggedAt, TAGGED.length());
    }

    @Benchmark
    public int slotHashBytes() {
        return SlotHash.slot(plainBytes);
    }

    @Benchmark
    public CommandSpec lookupGetLowerCase() {
        return table.lookup(buf, getAt, 3);
    }

    @Benchmark
    public CommandSpec lookupMget() {
        return table.lookup(buf, mgetAt, 4);
    }

    private int put(String s) {
        int at = buf.writerIndex();
        buf.writeCharSequence(s, StandardCharsets.US_ASCII);
        return at;
    }
}
