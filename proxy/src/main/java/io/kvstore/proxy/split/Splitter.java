package io.kvstore.proxy.split;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBuf;
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
        // Key k is element keyPosition[k] of its fragment; the fragments' frames are written
        // straight from keyFragment, with no list of arguments per fragment in between.
        int[] keysInFragment = new int[fragments];
        int[] keyPosition = new int[keys];
        for (int k = 0; k < keys; k++) {
            keyPosition[k] = keysInFragment[keyFragment[k]]++;
        }
        Merger merger = spec.merge() == MergeKind.MGET ? new MgetMerger(keyFragment, keyPosition) : Merges.of(spec.merge());
        Gather gather = new Gather(target, merger, alloc, fragments);
        try {
            for (int f = 0; f < fragments; f++) {
                ByteBuf frame = FrameBuilder.fragment(alloc, request, first, step, keyFragment, f, keysInFragment[f]);
                sender.send(groupOfFragment[f], frame, gather.fragment(f));
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
