package io.kvstore.config.store;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything a proxy needs to route for one cluster, as kept in its one ZooKeeper node: the
 * cluster's mode, its groups with their state, and which group owns each slot, at one epoch.
 * Immutable: a change is a new instance with the next epoch; any thread.
 *
 * <p>Invariants: the cluster name and group ids match {@link #NAME}; there is at least one group;
 * every slot is owned by exactly one group (the {@link SlotMap} holds that); no address appears
 * twice, whether as a master or as a replica, in the whole cluster, and none has port 0; the
 * epoch is at least 1.
 * Groups are kept without credentials ({@link BackendAuth#NONE}): secrets are not stored in
 * ZooKeeper, each proxy brings its own ({@link #slotMap(BackendAuth)}).
 */
public final class Topology {

    /** Cluster names and group ids: letters, digits, {@code _ . -}, 1 to 64 characters, no leading dot or dash. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private final String cluster;
    private final ClusterMode mode;
    private final SlotMap slots;
    private final List<GroupState> states;

    private Topology(String cluster, ClusterMode mode, SlotMap slots, List<GroupState> states) {
        this.cluster = checkName("cluster name", cluster);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.slots = slots;
        this.states = List.copyOf(states);
        if (slots.epoch() < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + slots.epoch());
        }
        if (this.states.size() != slots.groups().size()) {
            throw new IllegalArgumentException("one state per group is needed");
        }
        Map<HostPort, String> seen = new HashMap<>();
        for (Group g : slots.groups()) {
            checkName("group id", g.id());
            claim(seen, g.master(), "master of " + g.id());
            for (HostPort r : g.replicas()) {
                claim(seen, r, "replica of " + g.id());
            }
        }
    }

    private static void claim(Map<HostPort, String> seen, HostPort address, String role) {
        if (address.port() == 0) {
            throw new IllegalArgumentException("address " + address + " (" + role + "): a redis-server needs a real port, not 0");
        }
        String before = seen.putIfAbsent(address, role);
        if (before != null) {
            throw new IllegalArgumentException("address " + address + " is listed twice: " + before + " and " + role);
        }
    }

    /** Checks a cluster name or group id against {@link #NAME}; returns it. */
    public static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad " + what + " '" + name
                    + "': use 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
        }
        return name;
    }

    /** A new cluster at epoch 1: groups {@code g1..gN} in the order given, slots spread evenly. */
    public static Topology create(String cluster, ClusterMode mode, List<Group> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one group");
        }
        List<Group> plain = new ArrayList<>();
        for (Group g : groups) {
            plain.add(plain(g));
        }
        return new Topology(cluster, mode, SlotMap.evenlySpread(1, plain), nCopies(plain.size()));
    }

    /** A topology as read back from its parts; checks that the ranges cover every slot exactly once. */
    public static Topology of(String cluster, ClusterMode mode, long epoch, List<Group> groups,
                              List<GroupState> states, List<SlotRange> ranges) {
        return of(cluster, mode, epoch, groups, states, ranges, List.of());
    }

    /** The same with slots migrating: each range of {@code migrating} names the group its slots move to. */
    public static Topology of(String cluster, ClusterMode mode, long epoch, List<Group> groups,
                              List<GroupState> states, List<SlotRange> ranges, List<SlotRange> migrating) {
        return of(cluster, mode, epoch, groups, states, ranges, migrating, List.of());
    }

    /** The same with some migrating slots frozen: each range of {@code frozen} must migrate, to the group it names. */
    public static Topology of(String cluster, ClusterMode mode, long epoch, List<Group> groups,
                              List<GroupState> states, List<SlotRange> ranges, List<SlotRange> migrating,
                              List<SlotRange> frozen) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one group");
        }
        List<Group> plain = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (Group g : groups) {
            if (index.put(g.id(), plain.size()) != null) {
                throw new IllegalArgumentException("group id " + g.id() + " is used twice");
            }
            plain.add(plain(g));
        }
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
        return new Topology(cluster, mode, SlotMap.of(epoch, plain, owner, to, null, frozenSlots), states);
    }

    /** The next epoch's map; migrating slots that stay migrating keep their frozen flag. */
    private SlotMap next(List<Group> groups, short[] owner, short[] to) {
        boolean[] frozen = slots.frozenArray();
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            frozen[s] &= to[s] >= 0;
        }
        return SlotMap.of(epoch() + 1, groups, owner, to, null, frozen);
    }

    private static Group plain(Group g) {
        return new Group(g.id(), g.master(), g.replicas(), BackendAuth.NONE);
    }

    private static List<GroupState> nCopies(int n) {
        List<GroupState> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(GroupState.ACTIVE);
        }
        return out;
    }

    public String cluster() {
        return cluster;
    }

    public ClusterMode mode() {
        return mode;
    }

    public long epoch() {
        return slots.epoch();
    }

    /** The groups, in the order they were added. */
    public List<Group> groups() {
        return slots.groups();
    }

    public Optional<Group> group(String id) {
        return groups().stream().filter(g -> g.id().equals(id)).findFirst();
    }

    public GroupState state(String groupId) {
        return states.get(indexOf(groupId));
    }

    /** Every redis-server address of the cluster, masters and replicas, in group order. */
    public Set<HostPort> addresses() {
        Set<HostPort> out = new LinkedHashSet<>();
        for (Group g : groups()) {
            out.add(g.master());
            out.addAll(g.replicas());
        }
        return out;
    }

    /** The slot assignment as maximal ranges, in slot order. */
    public List<SlotRange> ranges() {
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

    /** How many slots {@code groupId} owns. */
    public int slotCount(String groupId) {
        int g = indexOf(groupId);
        int n = 0;
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            if (slots.groupIndex(s) == g) {
                n++;
            }
        }
        return n;
    }

    /**
     * The slot map a proxy routes by, its groups carrying {@code auth}. A group whose state
     * {@linkplain GroupState#refusesClients() refuses clients} (failed, down) is flagged down in it:
     * the proxy answers {@code -CLUSTERDOWN} for its slots.
     */
    public SlotMap slotMap(BackendAuth auth) {
        List<Group> withAuth = new ArrayList<>();
        boolean[] down = new boolean[groups().size()];
        for (int i = 0; i < groups().size(); i++) {
            Group g = groups().get(i);
            withAuth.add(new Group(g.id(), g.master(), g.replicas(), auth));
            down[i] = states.get(i).refusesClients();
        }
        return SlotMap.of(epoch(), withAuth, slots.ownerArray(), slots.migratingArray(), down, slots.frozenArray());
    }

    /** The state of each group, in group order. */
    public List<GroupState> states() {
        return states;
    }

    /** Slots migrating (frozen or not), as maximal ranges with the group they move to, in slot order. */
    public List<SlotRange> migrating() {
        return migratingWhere(false);
    }

    private List<SlotRange> migratingWhere(boolean frozenOnly) {
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
            out.add(new SlotRange(slot, end, groups().get(to).id()));
            slot = end + 1;
        }
        return out;
    }

    /** The group that owns {@code slot}. */
    public String owner(int slot) {
        return slots.groupOf(slot).id();
    }

    /**
     * The next epoch with each range marked as migrating to its group, frozen: proxies hold the
     * commands on those slots until {@link #withMigrationsMoving()}. A slot already migrating
     * elsewhere is refused; one already migrating to the same group keeps its phase.
     */
    public Topology withMigrations(List<SlotRange> targets) {
        short[] to = slots.migratingArray();
        boolean[] frozen = slots.frozenArray();
        for (SlotRange r : targets) {
            short g = (short) indexOf(r.groupId());
            refuseIfNotServing(g);
            for (int s = r.start(); s <= r.end(); s++) {
                if (to[s] >= 0 && to[s] != g) {
                    throw new StoreException.Conflict("slot " + s + " is already migrating to " + groups().get(to[s]).id());
                }
                if (slots.groupIndex(s) != g && to[s] < 0) {
                    to[s] = g;
                    frozen[s] = true;
                }
            }
        }
        return new Topology(cluster, mode, SlotMap.of(epoch() + 1, groups(), slots.ownerArray(), to, null, frozen), states);
    }

    /** The next epoch in which no migrating slot is frozen any more: their keys may move. */
    public Topology withMigrationsMoving() {
        return new Topology(cluster, mode, SlotMap.of(epoch() + 1, groups(), slots.ownerArray(), slots.migratingArray()), states);
    }

    /**
     * The next epoch without the frozen migrations: their slots stay with their owner. Safe because
     * no key of a frozen slot has moved; the driver does it when a proxy does not confirm the mark.
     */
    public Topology withFrozenMigrationsDropped() {
        short[] to = slots.migratingArray();
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            if (slots.isFrozen(s)) {
                to[s] = -1;
            }
        }
        return new Topology(cluster, mode, SlotMap.of(epoch() + 1, groups(), slots.ownerArray(), to), states);
    }

    /** Migrating slots still frozen (marked; their keys do not move yet), as maximal ranges with their target, in slot order. */
    public List<SlotRange> frozen() {
        return migratingWhere(true);
    }

    /** The next epoch in which the migrating slots among {@code done} belong to their target, and migrate no more. */
    public Topology withMigrationsDone(java.util.Collection<Integer> done) {
        short[] owner = slots.ownerArray();
        short[] to = slots.migratingArray();
        for (int s : done) {
            if (to[s] >= 0) {
                owner[s] = to[s];
                to[s] = -1;
            }
        }
        return new Topology(cluster, mode, next(groups(), owner, to), states);
    }

    /** An id not used by any group: {@code g<n>} with n one more than the highest in use. */
    public String nextGroupId() {
        int max = 0;
        for (Group g : groups()) {
            if (g.id().matches("g[0-9]{1,9}")) {
                max = Math.max(max, Integer.parseInt(g.id().substring(1)));
            }
        }
        return "g" + (max + 1);
    }

    /** The next epoch with {@code group} added, owning no slots yet. */
    public Topology withGroupAdded(Group group) {
        if (group(group.id()).isPresent()) {
            throw new StoreException.Conflict("cluster " + cluster + " already has a group " + group.id());
        }
        List<Group> next = new ArrayList<>(groups());
        next.add(plain(group));
        List<GroupState> nextStates = new ArrayList<>(states);
        nextStates.add(GroupState.ACTIVE);
        return new Topology(cluster, mode, next(next, slots.ownerArray(), slots.migratingArray()), nextStates);
    }

    /** The next epoch without {@code groupId}; refused while the group owns slots. */
    public Topology withGroupRemoved(String groupId) {
        int g = indexOf(groupId);
        int owned = slotCount(groupId);
        if (owned > 0) {
            throw new StoreException.Conflict("group " + groupId + " still owns " + owned + " slots; assign them to "
                    + "other groups first (kvstore-admin slots assign)");
        }
        List<Group> next = new ArrayList<>(groups());
        next.remove(g);
        List<GroupState> nextStates = new ArrayList<>(states);
        nextStates.remove(g);
        short[] owner = slots.ownerArray();
        short[] to = slots.migratingArray();
        for (int s = 0; s < owner.length; s++) {
            if (to[s] == g) {
                throw new StoreException.Conflict("group " + groupId + " is the target of a migration; finish or cancel it first");
            }
            if (owner[s] > g) {
                owner[s]--;
            }
            if (to[s] > g) {
                to[s]--;
            }
        }
        return new Topology(cluster, mode, next(next, owner, to), nextStates);
    }

    /** The next epoch with each range given to its group (metadata only: no data moves). */
    public Topology withSlotsAssigned(List<SlotRange> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no slots given");
        }
        short[] owner = slots.ownerArray();
        short[] to = slots.migratingArray();
        for (SlotRange r : ranges) {
            short g = (short) indexOf(r.groupId());
            refuseIfNotServing(g);
            for (int s = r.start(); s <= r.end(); s++) {
                if (to[s] >= 0) {
                    throw new StoreException.Conflict("slot " + s + " is migrating; let the migration finish first");
                }
            }
            Arrays.fill(owner, r.start(), r.end() + 1, g);
        }
        return new Topology(cluster, mode, next(groups(), owner, to), states);
    }

    /**
     * The next epoch in which {@code newMaster} is the master of {@code groupId} and
     * {@code newReplicas} its replicas (a failover: the promoted replica becomes master, the old
     * master is usually listed among the replicas, so that it is made one when it returns). The
     * group becomes {@link GroupState#ACTIVE}. Addresses that leave or join the group are
     * unclaimed or claimed with the write ({@link ClusterStore#update}).
     */
    public Topology withMaster(String groupId, HostPort newMaster, List<HostPort> newReplicas) {
        int g = indexOf(groupId);
        List<Group> next = new ArrayList<>(groups());
        next.set(g, new Group(groupId, newMaster, newReplicas, BackendAuth.NONE));
        List<GroupState> nextStates = new ArrayList<>(states);
        nextStates.set(g, GroupState.ACTIVE);
        return new Topology(cluster, mode, next(next, slots.ownerArray(), slots.migratingArray()), nextStates);
    }

    /**
     * Cache mode, a group's master failed: the next epoch in which its slots are split evenly, in
     * contiguous parts, over the {@link GroupState#ACTIVE} groups, and the group is
     * {@link GroupState#FAILED} (owning nothing until it rejoins). Migrations from it go to their
     * target at once (its keys are lost anyway), migrations to it are dropped (the slots stay where
     * they are). With no active group left it keeps its slots and is {@link GroupState#DOWN}: the
     * whole cluster answers -CLUSTERDOWN until a master is back.
     */
    public Topology withGroupFailed(String groupId) {
        int g = indexOf(groupId);
        List<Integer> receivers = new ArrayList<>();
        for (int i = 0; i < groups().size(); i++) {
            if (i != g && states.get(i) == GroupState.ACTIVE) {
                receivers.add(i);
            }
        }
        List<GroupState> nextStates = new ArrayList<>(states);
        if (receivers.isEmpty()) {
            nextStates.set(g, GroupState.DOWN);
            return new Topology(cluster, mode, next(groups(), slots.ownerArray(), slots.migratingArray()), nextStates);
        }
        short[] owner = slots.ownerArray();
        short[] to = slots.migratingArray();
        List<Integer> orphans = new ArrayList<>();
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            if (owner[s] == g && to[s] >= 0 && states.get(to[s]) == GroupState.ACTIVE) {
                owner[s] = to[s];
                to[s] = -1;
            } else if (owner[s] == g) {
                orphans.add(s);
                to[s] = -1;
            } else if (to[s] == g) {
                to[s] = -1;
            }
        }
        int n = receivers.size();
        for (int k = 0; k < orphans.size(); k++) {
            owner[orphans.get(k)] = receivers.get((int) ((long) k * n / orphans.size())).shortValue();
        }
        nextStates.set(g, GroupState.FAILED);
        return new Topology(cluster, mode, next(groups(), owner, to), nextStates);
    }

    /**
     * A failed or down group is back (its master flushed, in cache mode): the next epoch in which it
     * is {@link GroupState#ACTIVE}; with {@code takeShare}, it also gets an even share of the slots
     * of the active groups (16384 / active groups, the first ones one more), taken from the highest
     * slots of the groups above their share. Metadata only: in cache mode the slots it gets start
     * empty (misses). Slots that are migrating do not move.
     */
    public Topology withGroupRejoined(String groupId, boolean takeShare) {
        return withGroupRejoined(groupId, takeShare, List.of());
    }

    /**
     * The same, taking first (up to its share) the slots in {@code former}, those it owned before
     * it failed: the groups that served them meanwhile give back what they cached for the shortest
     * time, and keep the keys of their own slots.
     */
    public Topology withGroupRejoined(String groupId, boolean takeShare, List<SlotRange> former) {
        int g = indexOf(groupId);
        List<GroupState> nextStates = new ArrayList<>(states);
        nextStates.set(g, GroupState.ACTIVE);
        short[] owner = slots.ownerArray();
        short[] to = slots.migratingArray();
        if (takeShare) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < groups().size(); i++) {
                if (nextStates.get(i) == GroupState.ACTIVE) {
                    active.add(i);
                }
            }
            int[] have = new int[groups().size()];
            for (short o : owner) {
                have[o]++;
            }
            int[] want = new int[groups().size()];
            Arrays.fill(want, -1); // not active: keeps what it has
            for (int k = 0; k < active.size(); k++) {
                want[active.get(k)] = SlotHash.SLOTS / active.size() + (k < SlotHash.SLOTS % active.size() ? 1 : 0);
            }
            for (SlotRange r : former) {
                for (int s = r.start(); s <= r.end() && have[g] < want[g]; s++) {
                    int o = owner[s];
                    if (o != g && want[o] >= 0 && to[s] < 0) {
                        owner[s] = (short) g;
                        have[o]--;
                        have[g]++;
                    }
                }
            }
            // Then from active groups above their share, highest slots first, so every giver keeps
            // its lower slots in one piece.
            for (int s = SlotHash.SLOTS - 1; s >= 0 && have[g] < want[g]; s--) {
                int o = owner[s];
                if (o != g && want[o] >= 0 && have[o] > want[o] && to[s] < 0) {
                    owner[s] = (short) g;
                    have[o]--;
                    have[g]++;
                }
            }
        }
        return new Topology(cluster, mode, next(groups(), owner, to), nextStates);
    }

    /** The next epoch with one group's state changed. */
    public Topology withGroupState(String groupId, GroupState state) {
        List<GroupState> next = new ArrayList<>(states);
        next.set(indexOf(groupId), state);
        return new Topology(cluster, mode, next(groups(), slots.ownerArray(), slots.migratingArray()), next);
    }

    /** Slots may not be given to a group whose master is failed or down. */
    private void refuseIfNotServing(int g) {
        GroupState st = states.get(g);
        if (st.refusesClients()) {
            throw new StoreException.Conflict("group " + groups().get(g).id() + " is " + st + " (its master is not serving);"
                    + " it can be given slots once it is back and active (see doc/failover.md)");
        }
    }

    private int indexOf(String groupId) {
        List<Group> gs = groups();
        for (int i = 0; i < gs.size(); i++) {
            if (gs.get(i).id().equals(groupId)) {
                return i;
            }
        }
        throw new StoreException.NotFound("cluster " + cluster + " has no group '" + groupId + "' (groups: "
                + gs.stream().map(Group::id).toList() + ")");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Topology t && t.cluster.equals(cluster) && t.mode == mode && t.slots.equals(slots)
                && t.states.equals(states);
    }

    @Override
    public int hashCode() {
        return Objects.hash(cluster, mode, slots, states);
    }

    @Override
    public String toString() {
        return "Topology{" + cluster + ", " + mode + ", epoch=" + epoch() + ", groups=" + groups().size() + "}";
    }
}
