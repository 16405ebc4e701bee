package io.kvstore.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Which group owns each of the {@value SlotHash#SLOTS} slots, at one epoch. Immutable: a new
 * assignment is a new instance, published whole (through a volatile reference), so a reader
 * never sees half of a change. Any thread.
 *
 * <p>Invariants: every slot is owned by exactly one group of {@link #groups()}; group ids are
 * unique; {@link #groupIndex(int)} is an index into {@link #groups()}.
 */
public final class SlotMap {

    private final long epoch;
    private final List<Group> groups;
    private final short[] owner;

    private SlotMap(long epoch, List<Group> groups, short[] owner) {
        this.epoch = epoch;
        this.groups = List.copyOf(groups);
        this.owner = owner;
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < this.groups.size(); i++) {
            if (seen.put(this.groups.get(i).id(), i) != null) {
                throw new IllegalArgumentException("duplicate group id " + this.groups.get(i).id());
            }
        }
        if (owner.length != SlotHash.SLOTS) {
            throw new IllegalArgumentException("slot array must have " + SlotHash.SLOTS + " entries");
        }
        for (short g : owner) {
            if (g < 0 || g >= this.groups.size()) {
                throw new IllegalArgumentException("slot owned by unknown group index " + g);
            }
        }
    }

    /** Spreads the slots evenly over the groups in the order given, as contiguous ranges. */
    public static SlotMap evenlySpread(long epoch, List<Group> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("at least one group is needed");
        }
        if (groups.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("too many groups");
        }
        short[] owner = new short[SlotHash.SLOTS];
        int n = groups.size();
        for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
            owner[slot] = (short) ((long) slot * n / SlotHash.SLOTS);
        }
        return new SlotMap(epoch, groups, owner);
    }

    /** A map from an explicit owner array of group indexes (copied). */
    public static SlotMap of(long epoch, List<Group> groups, short[] owner) {
        return new SlotMap(epoch, groups, owner.clone());
    }

    public long epoch() {
        return epoch;
    }

    public List<Group> groups() {
        return groups;
    }

    /** Index into {@link #groups()} of the owner of {@code slot}. */
    public int groupIndex(int slot) {
        return owner[slot];
    }

    public Group groupOf(int slot) {
        return groups.get(owner[slot]);
    }

    /** A copy of the owner array, for building the next map. */
    public short[] ownerArray() {
        return owner.clone();
    }

    /** Slot ranges owned by each group, as {@code [start, end]} pairs, in slot order. */
    public Map<String, List<int[]>> rangesByGroup() {
        Map<String, List<int[]>> out = new HashMap<>();
        for (Group g : groups) {
            out.put(g.id(), new ArrayList<>());
        }
        int start = 0;
        for (int slot = 1; slot <= SlotHash.SLOTS; slot++) {
            if (slot == SlotHash.SLOTS || owner[slot] != owner[start]) {
                out.get(groups.get(owner[start]).id()).add(new int[] {start, slot - 1});
                start = slot;
            }
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SlotMap m && m.epoch == epoch && m.groups.equals(groups) && Arrays.equals(m.owner, owner);
    }

    @Override
    public int hashCode() {
        return Objects.hash(epoch, groups, Arrays.hashCode(owner));
    }

    @Override
    public String toString() {
        return "SlotMap{epoch=" + epoch + ", groups=" + groups.size() + "}";
    }
}
