package io.kvstore.config.store;

import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts between a topology's slot ranges (as stored: owner, migration target, frozen) and the
 * per-slot arrays of a {@link SlotMap}, in both directions. Stateless; any thread.
 *
 * <p>Invariant: a map built here has every slot owned by exactly one listed group, no slot
 * migrating to its owner, and no frozen slot that does not migrate to the group its range names;
 * anything else is refused with {@link IllegalArgumentException} naming the slots. Ranges read
 * back are maximal and in slot order.
 */
final class SlotRanges {

    private SlotRanges() {
    }

    /** The map at {@code epoch} over {@code groups} (ids unique) built from its ranges, every slot checked. */
    static SlotMap toSlotMap(long epoch, List<Group> groups, List<SlotRange> ranges, List<SlotRange> migrating,
                             List<SlotRange> frozen) {
        Map<String, Integer> index = new HashMap<>();
        for (Group g : groups) {
            if (index.put(g.id(), index.size()) != null) {
                throw new IllegalArgumentException("group id " + g.id() + " is used twice");
            }
        }
        short[] owner = owners(index, ranges);
        short[] to = targets(index, owner, migrating);
        return SlotMap.of(epoch, groups, owner, to, null, frozenFlags(index, to, frozen));
    }

    private static short[] owners(Map<String, Integer> index, List<SlotRange> ranges) {
        short[] owner = new short[SlotHash.SLOTS];
        Arrays.fill(owner, (short) -1);
        for (SlotRange r : ranges) {
            Integer g = index.get(r.groupId());
            if (g == null) {
                throw new IllegalArgumentException("slots " + r.start() + "-" + r.end() + " belong to unknown group " + r.groupId());
            }
            for (int s = r.start(); s <= r.end(); s++) {
                if (owner[s] >= 0) {
                    throw new IllegalArgumentException("slot " + s + " is assigned twice");
                }
                owner[s] = g.shortValue();
            }
        }
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            if (owner[s] < 0) {
                int e = s;
                while (e + 1 < SlotHash.SLOTS && owner[e + 1] < 0) {
                    e++;
                }
                throw new IllegalArgumentException("slots " + s + "-" + e + " are not assigned to any group");
            }
        }
        return owner;
    }

    private static short[] targets(Map<String, Integer> index, short[] owner, List<SlotRange> migrating) {
        short[] to = SlotMap.noMigrations();
        for (SlotRange r : migrating) {
            Integer g = index.get(r.groupId());
            if (g == null) {
                throw new IllegalArgumentException("slots " + r.start() + "-" + r.end() + " migrate to unknown group " + r.groupId());
            }
            for (int s = r.start(); s <= r.end(); s++) {
                if (owner[s] == g) {
                    throw new IllegalArgumentException("slot " + s + " migrates to the group that owns it");
                }
                to[s] = g.shortValue();
            }
        }
        return to;
    }

    private static boolean[] frozenFlags(Map<String, Integer> index, short[] to, List<SlotRange> frozen) {
        boolean[] frozenSlots = new boolean[SlotHash.SLOTS];
        for (SlotRange r : frozen) {
            Integer g = index.get(r.groupId());
            for (int s = r.start(); s <= r.end(); s++) {
                if (g == null || to[s] != g) {
                    throw new IllegalArgumentException("slot " + s + " is frozen but does not migrate to " + r.groupId());
                }
                frozenSlots[s] = true;
            }
        }
        return frozenSlots;
    }

    /** The slot assignment of {@code slots} as maximal ranges, in slot order. */
    static List<SlotRange> owned(SlotMap slots) {
        List<SlotRange> out = new ArrayList<>();
        int start = 0;
        for (int slot = 1; slot <= SlotHash.SLOTS; slot++) {
            if (slot == SlotHash.SLOTS || slots.groupIndex(slot) != slots.groupIndex(start)) {
                out.add(new SlotRange(start, slot - 1, slots.groupOf(start).id()));
                start = slot;
            }
        }
        return out;
    }

    /** Migrating slots (only the frozen ones if {@code frozenOnly}) as maximal ranges with their target, in slot order. */
    static List<SlotRange> migrating(SlotMap slots, boolean frozenOnly) {
        List<SlotRange> out = new ArrayList<>();
        int slot = 0;
        while (slot < SlotHash.SLOTS) {
            int to = slots.migrationTarget(slot);
            if (to < 0 || frozenOnly && !slots.isFrozen(slot)) {
                slot++;
                continue;
            }
            int end = slot;
            while (end + 1 < SlotHash.SLOTS && slots.migrationTarget(end + 1) == to
                    && (!frozenOnly || slots.isFrozen(end + 1))) {
                end++;
            }
            out.add(new SlotRange(slot, end, slots.groups().get(to).id()));
            slot = end + 1;
        }
        return out;
    }
}
