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
 * unique; {@link #groupIndex(int)} is an index into {@link #groups()}. A slot may also be
 * <em>migrating</em> to another group ({@link #migrationTarget(int)}): its keys are moving there,
 * and the proxy moves a key before touching it (see doc/resharding.md). A migrating slot may be
 * <em>frozen</em> ({@link #isFrozen(int)}): marked, but no key of it moves yet; proxies hold its
 * commands until a later map lets them through, so that no proxy serves it from the source while
 * another already moves its keys.
 */
public final class SlotMap {

    private final long epoch;
    private final List<Group> groups;
    private final short[] owner;
    private final short[] migratingTo; // null when nothing migrates; else -1 or the target group index
    private final boolean[] down;      // null when every group serves; else per group index
    private final boolean[] frozen;    // null when no slot is frozen; else per slot, only where migratingTo >= 0
    private volatile SlotMap afterMigrations;

    private SlotMap(long epoch, List<Group> groups, short[] owner) {
        this(epoch, groups, owner, null);
    }

    private SlotMap(long epoch, List<Group> groups, short[] owner, short[] migratingTo) {
        this(epoch, groups, owner, migratingTo, null);
    }

    private SlotMap(long epoch, List<Group> groups, short[] owner, short[] migratingTo, boolean[] down) {
        this(epoch, groups, owner, migratingTo, down, null);
    }

    private SlotMap(long epoch, List<Group> groups, short[] owner, short[] migratingTo, boolean[] down, boolean[] frozen) {
        this.epoch = epoch;
        boolean anyDown = false;
        if (down != null) {
            if (down.length != groups.size()) {
                throw new IllegalArgumentException("one down flag per group is needed");
            }
            for (boolean d : down) {
                anyDown |= d;
            }
        }
        this.down = anyDown ? down : null;
        this.groups = List.copyOf(groups);
        this.owner = owner;
        this.migratingTo = migratingTo == null || allNone(migratingTo) ? null : migratingTo;
        if (this.migratingTo != null) {
            if (migratingTo.length != SlotHash.SLOTS) {
                throw new IllegalArgumentException("migration array must have " + SlotHash.SLOTS + " entries");
            }
            for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
                short t = migratingTo[slot];
                if (t != -1 && (t < 0 || t >= this.groups.size() || t == owner[slot])) {
                    throw new IllegalArgumentException("slot " + slot + " migrates to a bad group index " + t);
                }
            }
        }
        boolean anyFrozen = false;
        if (frozen != null) {
            if (frozen.length != SlotHash.SLOTS) {
                throw new IllegalArgumentException("frozen array must have " + SlotHash.SLOTS + " entries");
            }
            for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
                if (frozen[slot] && (this.migratingTo == null || this.migratingTo[slot] < 0)) {
                    throw new IllegalArgumentException("slot " + slot + " is frozen but does not migrate");
                }
                anyFrozen |= frozen[slot];
            }
        }
        this.frozen = anyFrozen ? frozen : null;
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

    /** The same with migrations: {@code migratingTo[slot]} is the target group index, or -1 (copied). */
    public static SlotMap of(long epoch, List<Group> groups, short[] owner, short[] migratingTo) {
        return new SlotMap(epoch, groups, owner.clone(), migratingTo == null ? null : migratingTo.clone());
    }

    /** The same with groups marked down ({@code down[i]} for group i): their slots get -CLUSTERDOWN (copied). */
    public static SlotMap of(long epoch, List<Group> groups, short[] owner, short[] migratingTo, boolean[] down) {
        return new SlotMap(epoch, groups, owner.clone(), migratingTo == null ? null : migratingTo.clone(),
                down == null ? null : down.clone());
    }

    /**
     * The same with frozen slots ({@code frozen[slot]}, only for migrating slots): commands on them
     * are held until a map in which they no longer are (copied).
     */
    public static SlotMap of(long epoch, List<Group> groups, short[] owner, short[] migratingTo, boolean[] down,
                             boolean[] frozen) {
        return new SlotMap(epoch, groups, owner.clone(), migratingTo == null ? null : migratingTo.clone(),
                down == null ? null : down.clone(), frozen == null ? null : frozen.clone());
    }

    /** Whether group {@code index} is down: no master serves its slots (data-store mode, no replica to promote). */
    public boolean isGroupDown(int index) {
        return down != null && down[index];
    }

    /** Whether any slot is frozen. */
    public boolean hasFrozen() {
        return frozen != null;
    }

    /** Whether {@code slot} is marked to migrate but its keys do not move yet: commands on it wait. */
    public boolean isFrozen(int slot) {
        return frozen != null && frozen[slot];
    }

    /** A copy of the frozen flags, one per slot. */
    public boolean[] frozenArray() {
        return frozen == null ? new boolean[SlotHash.SLOTS] : frozen.clone();
    }

    /** A migration array in which no slot migrates. */
    public static short[] noMigrations() {
        short[] none = new short[SlotHash.SLOTS];
        Arrays.fill(none, (short) -1);
        return none;
    }

    private static boolean allNone(short[] migratingTo) {
        for (short t : migratingTo) {
            if (t != -1) {
                return false;
            }
        }
        return true;
    }

    /** Whether any slot is migrating. */
    public boolean hasMigrations() {
        return migratingTo != null;
    }

    /** The group index {@code slot} is migrating to, or -1. */
    public int migrationTarget(int slot) {
        return migratingTo == null ? -1 : migratingTo[slot];
    }

    /** A copy of the migration array (-1 where nothing migrates). */
    public short[] migratingArray() {
        return migratingTo == null ? noMigrations() : migratingTo.clone();
    }

    /**
     * The map as it will be once every migration is done: migrating slots owned by their target.
     * Commands whose keys were just moved are routed by it. Made once, on first use.
     */
    public SlotMap afterMigrations() {
        if (migratingTo == null) {
            return this;
        }
        SlotMap after = afterMigrations;
        if (after == null) {
            short[] next = owner.clone();
            for (int slot = 0; slot < SlotHash.SLOTS; slot++) {
                if (migratingTo[slot] >= 0) {
                    next[slot] = migratingTo[slot];
                }
            }
            after = new SlotMap(epoch, groups, next, null, down);
            afterMigrations = after;
        }
        return after;
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
        return o instanceof SlotMap m && m.epoch == epoch && m.groups.equals(groups) && Arrays.equals(m.owner, owner)
                && Arrays.equals(m.migratingTo, migratingTo) && Arrays.equals(m.down, down) && Arrays.equals(m.frozen, frozen);
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
