package io.kvstore.proxy.split;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.ReplySink;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBufAllocator;
import java.util.Arrays;

/**
 * Splits a multi-key command (MGET, MSET, DEL, UNLINK, EXISTS, TOUCH) into one fragment per group
 * that owns some of its keys, never one per key, and gathers the replies back. When every key is
 * in one group the client's frame goes out unchanged. Stateless; runs on the client's loop.
 */
public final class Splitter {

    private Splitter() {
    }

    public static void split(Request request, CommandSpec spec, SlotMap map, ReplySink target,
                             ByteBufAllocator alloc, GroupSender sender) {
        int first = spec.firstKey();
        int step = spec.keyStep();
        int keys = (spec.lastKeyIndex(request.argCount()) - first) / step + 1;
        int[] fragmentOfGroup = new int[map.groups().size()];
        Arrays.fill(fragmentOfGroup, -1);
        int[] keyFragment = new int[keys];
        int[] groupOfFragment = new int[Math.min(keys, fragmentOfGroup.length)];
        int fragments = 0;
        for (int k = 0; k < keys; k++) {
            int arg = first + k * step;
            int g = map.groupIndex(KeySlot.of(request.frame(), request.argOffset(arg), request.argLength(arg)));
            if (fragmentOfGroup[g] < 0) {
                groupOfFragment[fragments] = g;
                fragmentOfGroup[g] = fragments++;
            }
            keyFragment[k] = fragmentOfGroup[g];
        }
        if (fragments == 1) {
            sender.send(groupOfFragment[0], request.frame(), target);
            return;
        }
        // Arguments of each fragment: the command name, then its keys (with their values for MSET).
        int[][] args = new int[fragments][];
        int[] count = new int[fragments];
        int[] keyPosition = new int[keys];
        int perKey = step;
        for (int f = 0; f < fragments; f++) {
            args[f] = new int[1 + keys * perKey];
            args[f][count[f]++] = 0;
        }
        for (int k = 0; k < keys; k++) {
            int f = keyFragment[k];
            keyPosition[k] = (count[f] - 1) / perKey;
            for (int j = 0; j < perKey; j++) {
                args[f][count[f]++] = first + k * step + j;
            }
        }
        Merger merger = spec.merge() == MergeKind.MGET ? new MgetMerger(keyFragment, keyPosition) : Merges.of(spec.merge());
        Gather gather = new Gather(target, merger, alloc, fragments);
        try {
            for (int f = 0; f < fragments; f++) {
                sender.send(groupOfFragment[f], FrameBuilder.command(alloc, request, args[f], count[f]), gather.fragment(f));
            }
        } finally {
            request.release();
        }
    }

    /** Sends the same command to every group and merges the replies with {@code merger}. */
    public static void fanOut(Request request, SlotMap map, ReplySink target, ByteBufAllocator alloc,
                              GroupSender sender, Merger merger) {
        int groups = map.groups().size();
        Gather gather = new Gather(target, merger, alloc, groups);
        for (int g = 0; g < groups; g++) {
            sender.send(g, g == groups - 1 ? request.frame() : request.frame().retainedDuplicate(), gather.fragment(g));
        }
    }
}
