package io.kvstore.proxy.keyspace;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.split.Gather;
import io.kvstore.proxy.split.GroupSender;
import io.kvstore.proxy.split.Merges;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;

/**
 * {@code KEYS pattern [PIVOT key] [LIMIT count] [DESC] [WITHVALUES]}: keys matching pattern in byte
 * order across all groups, strictly after PIVOT (before it with DESC), at most LIMIT of them,
 * each followed by its value (GET semantics: nil for a key that is not a string) with WITHVALUES.
 * Confined to the client's event loop.
 *
 * <p>Every group is walked with SCAN in batches; only the best LIMIT keys seen so far are kept,
 * so memory is bounded by LIMIT and one batch per group, not by the keyspace. Keys changed during
 * the walk follow SCAN's guarantees. Order, PIVOT and the pattern apply to the names the client
 * sees ({@link KeyNames}: logical names while the cluster has rewrite rules); WITHVALUES reads
 * each key under its stored name.
 */
public final class KeysPage implements GroupScan.Listener {

    /** The parsed options; {@code limit} is {@code Long.MAX_VALUE} when none was given. */
    public record Options(byte[] pattern, byte[] pivot, long limit, boolean desc, boolean withValues, KeyNames names) {
    }

    private static final Comparator<byte[]> BYTE_ORDER = Arrays::compareUnsigned;

    private final Options options;
    private final SlotMap map;
    private final GroupSender sender;
    private final ByteBufAllocator alloc;
    private final ReplySink target;
    private final TreeSet<byte[]> best;
    private int running;
    private String error;

    private KeysPage(Options options, SlotMap map, GroupSender sender, ByteBufAllocator alloc, ReplySink target) {
        this.options = options;
        this.map = map;
        this.sender = sender;
        this.alloc = alloc;
        this.target = target;
        this.best = new TreeSet<>(options.desc() ? BYTE_ORDER.reversed() : BYTE_ORDER);
        this.running = map.groups().size();
    }

    public static void start(Options options, SlotMap map, GroupSender sender, ByteBufAllocator alloc, ReplySink target) {
        KeysPage page = new KeysPage(options, map, sender, alloc, target);
        for (int g = 0; g < map.groups().size(); g++) {
            new GroupScan(g, options.pattern(), options.names(), sender, alloc, page).next();
        }
    }

    @Override
    public void batch(GroupScan scan, List<byte[]> keys) {
        if (error != null) {
            finished();
            return;
        }
        for (byte[] key : keys) {
            if (options.pivot() != null && best.comparator().compare(key, options.pivot()) <= 0) {
                continue;
            }
            best.add(key);
            if (best.size() > options.limit()) {
                best.pollLast();
            }
        }
        scan.next();
    }

    @Override
    public void failed(String message) {
        if (error == null) {
            error = message;
        }
        finished();
    }

    @Override
    public void finished() {
        if (--running > 0) {
            return;
        }
        if (error != null) {
            target.onReply(Replies.error(alloc, error));
        } else if (!options.withValues() || best.isEmpty()) {
            ByteBuf out = alloc.buffer();
            RespWriter.writeArrayHeader(out, best.size());
            best.forEach(k -> RespWriter.writeBulk(out, k));
            target.onReply(out);
        } else {
            fetchValues(new ArrayList<>(best));
        }
    }

    /** One MGET per group for the chosen keys, then key, value pairs in order. */
    private void fetchValues(List<byte[]> keys) {
        List<Integer> groups = new ArrayList<>();
        List<List<Integer>> indexes = new ArrayList<>();
        int[] fragmentOf = new int[map.groups().size()];
        Arrays.fill(fragmentOf, -1);
        for (int i = 0; i < keys.size(); i++) {
            int g = map.groupIndex(SlotHash.slot(keys.get(i)));
            if (fragmentOf[g] < 0) {
                fragmentOf[g] = groups.size();
                groups.add(g);
                indexes.add(new ArrayList<>());
            }
            indexes.get(fragmentOf[g]).add(i);
        }
        Gather gather = new Gather(target, Merges.errorsFirst((alloc, replies) -> pairs(alloc, keys, indexes, replies)),
                alloc, groups.size());
        for (int f = 0; f < groups.size(); f++) {
            ByteBuf mget = alloc.buffer();
            RespWriter.writeArrayHeader(mget, indexes.get(f).size() + 1L);
            RespWriter.writeBulk(mget, GroupScan.bytes("MGET"));
            indexes.get(f).forEach(i -> RespWriter.writeBulk(mget, options.names().stored(keys.get(i))));
            sender.send(groups.get(f), mget, gather.fragment(f));
        }
    }

    /**
     * Keys in order, each followed by its value from the MGET of its group, copied as the group
     * encoded it (so a missing value is the null of the client's protocol).
     */
    private static ByteBuf pairs(ByteBufAllocator alloc, List<byte[]> keys, List<List<Integer>> indexes, ByteBuf[] replies) {
        int[] fragment = new int[keys.size()];
        int[] start = new int[keys.size()];
        int[] end = new int[keys.size()];
        for (int f = 0; f < replies.length; f++) {
            int at = ReplyReader.afterLine(replies[f], replies[f].readerIndex());
            for (int i : indexes.get(f)) {
                fragment[i] = f;
                start[i] = at;
                at = ReplyReader.end(replies[f], at);
                end[i] = at;
            }
        }
        ByteBuf out = alloc.buffer();
        RespWriter.writeArrayHeader(out, keys.size() * 2L);
        for (int i = 0; i < keys.size(); i++) {
            RespWriter.writeBulk(out, keys.get(i));
            out.writeBytes(replies[fragment[i]], start[i], end[i] - start[i]);
        }
        return out;
    }
}
