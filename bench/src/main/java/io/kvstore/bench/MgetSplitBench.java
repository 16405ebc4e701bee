package io.kvstore.bench;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.kvstore.proxy.split.GroupSender;
import io.kvstore.proxy.split.Splitter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * An MGET of 10 keys over 3 groups, split into one fragment per group and merged back, through
 * {@link Splitter} and its gather exactly as the dispatcher calls them: the fragments' frames are
 * built and released, each fragment gets its group's reply, and the merged reply reaches the
 * client's sink, which releases it. One operation is one client MGET. Per-thread state; modes,
 * times and forks are set by scripts/bench-jmh.sh.
 */
@State(Scope.Thread)
public class MgetSplitBench {

    private static final int KEYS = 10;
    private static final int GROUPS = 3;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private final CommandSpec mget = CommandTable.load().get("mget");
    private final List<ReplySink> sinks = new ArrayList<>(GROUPS);
    private final int[] groupOfSink = new int[GROUPS];
    private final ByteBuf[] groupReply = new ByteBuf[GROUPS];
    private final Capture capture = new Capture();
    /** The backends: a fragment's frame is written (released here), its sink kept for the reply. */
    private final GroupSender sender = (group, frame, sink) -> {
        groupOfSink[sinks.size()] = group;
        sinks.add(sink);
        frame.release();
    };
    private SlotMap map;
    private Request request;
    private int merged;

    /** The client's sink: takes the merged reply, as the client's pending reply would. */
    private final class Capture implements ReplySink {
        @Override
        public void onReply(ByteBuf reply) {
            merged += reply.readableBytes();
            reply.release();
        }

        @Override
        public void onFailure(String message) {
            throw new IllegalStateException(message);
        }
    }

    @Setup(Level.Trial)
    public void setUp() {
        List<Group> groups = new ArrayList<>();
        for (int g = 0; g < GROUPS; g++) {
            groups.add(Group.of("g" + g, new HostPort("127.0.0.1", 6379 + g)));
        }
        map = SlotMap.evenlySpread(1, groups);
        List<byte[]> words = new ArrayList<>();
        words.add("MGET".getBytes(StandardCharsets.US_ASCII));
        for (int k = 0; k < KEYS; k++) {
            words.add(("key:00000" + (12345 + k * 7919)).getBytes(StandardCharsets.US_ASCII));
        }
        request = Request.of(alloc, words);
        int[] keysOfGroup = new int[GROUPS];
        for (int k = 1; k <= KEYS; k++) {
            keysOfGroup[map.groupIndex(KeySlot.of(request.frame(), request.argOffset(k), request.argLength(k)))]++;
        }
        for (int g = 0; g < GROUPS; g++) {
            if (keysOfGroup[g] == 0) {
                throw new IllegalStateException("group " + g + " owns none of the keys: pick other keys");
            }
            StringBuilder reply = new StringBuilder("*" + keysOfGroup[g] + "\r\n");
            for (int k = 0; k < keysOfGroup[g]; k++) {
                reply.append("$3\r\nxxx\r\n");
            }
            groupReply[g] = alloc.directBuffer().writeBytes(reply.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        request.release();
        for (ByteBuf b : groupReply) {
            b.release();
        }
    }

    @Benchmark
    public int splitAndMerge() {
        sinks.clear();
        merged = 0;
        request.retain(); // the split takes the client's request
        Splitter.split(request, mget, map, capture, alloc, sender);
        for (int f = 0; f < sinks.size(); f++) {
            sinks.get(f).onReply(groupReply[groupOfSink[f]].retainedDuplicate());
        }
        if (merged == 0) {
            throw new IllegalStateException("no merged reply");
        }
        return merged;
    }
}
