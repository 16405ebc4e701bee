package io.kvstore.config.store;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
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
 *
 * <p>This class is the value and its queries; the rules it checks are {@link TopologyInvariants},
 * the conversion from stored ranges {@link SlotRanges}, and its changes ({@code with...}) are made
 * by {@link MigrationTransitions}, {@link GroupTransitions} and {@link FailoverTransitions}.
 */
public final class Topology {

    /** Cluster names and group ids: letters, digits, {@code _ . -}, 1 to 64 characters, no leading dot or dash. */
    public static final Pattern NAME = TopologyInvariants.NAME;

    private final String cluster;
    private final ClusterMode mode;
    private final SlotMap slots;
    private final List<GroupState> states;

    private Topology(String cluster, ClusterMode mode, SlotMap slots, List<GroupState> states) {
        this.cluster = checkName("cluster name", cluster);
        this.mode = Objects.requireNonNull(mode, "mode");
        this.slots = slots;
        this.states = List.copyOf(states);
        TopologyInvariants.check(slots, this.states);
    }

    /** Checks a cluster name or group id against {@link #NAME}; returns it. */
    public static String checkName(String what, String name) {
        return TopologyInvariants.checkName(what, name);
    }

    /** A new cluster at epoch 1: groups {@code g1..gN} in the order given, slots spread evenly. */
    public static Topology create(String cluster, ClusterMode mode, List<Group> groups) {
        List<Group> plain = plain(groups);
        return new Topology(cluster, mode, SlotMap.evenlySpread(1, plain), Collections.nCopies(plain.size(), GroupState.ACTIVE));
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
        SlotMap slots = SlotRanges.toSlotMap(epoch, plain(groups), ranges, migrating, frozen);
        return new Topology(cluster, mode, slots, states);
    }

    /** The groups without credentials, as they are stored; refuses an empty list. */
    private static List<Group> plain(List<Group> groups) {
        if (groups.isEmpty()) {
            throw new IllegalArgumentException("a cluster needs at least one group");
        }
        List<Group> plain = new ArrayList<>();
        for (Group g : groups) {
            plain.add(new Group(g.id(), g.master(), g.replicas(), BackendAuth.NONE));
        }
        return plain;
    }

    /** This cluster with another slot map and states (used by the transitions; the map carries the epoch). */
    Topology withSlots(SlotMap nextSlots, List<GroupState> nextStates) {
        return new Topology(cluster, mode, nextSlots, nextStates);
    }

    /** The next epoch with these groups, owners, targets and states; migrating slots that stay migrating keep their frozen flag. */
    Topology next(List<Group> groups, short[] owner, short[] to, List<GroupState> nextStates) {
        boolean[] frozen = slots.frozenArray();
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            frozen[s] &= to[s] >= 0;
        }
        return withSlots(SlotMap.of(epoch() + 1, groups, owner, to, null, frozen), nextStates);
    }

    /** The slot map as stored: groups without credentials, no group flagged down. */
    SlotMap slots() {
        return slots;
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
        return SlotRanges.owned(slots);
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
        return SlotRanges.migrating(slots, false);
    }

    /** Migrating slots still frozen (marked; their keys do not move yet), as maximal ranges with their target, in slot order. */
    public List<SlotRange> frozen() {
        return SlotRanges.migrating(slots, true);
    }

    /** The group that owns {@code slot}. */
    public String owner(int slot) {
        return slots.groupOf(slot).id();
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

    // ------------------------------------------------ transitions: each returns the next epoch

    /**
     * Each range marked as migrating to its group, frozen: proxies hold the commands on those
     * slots until {@link #withMigrationsMoving()}. See {@link MigrationTransitions#mark}.
     */
    public Topology withMigrations(List<SlotRange> targets) {
        return MigrationTransitions.mark(this, targets);
    }

    /** No migrating slot is frozen any more: their keys may move. */
    public Topology withMigrationsMoving() {
        return MigrationTransitions.moving(this);
    }

    /** The frozen migrations dropped: their slots stay with their owner (no key of theirs has moved). */
    public Topology withFrozenMigrationsDropped() {
        return MigrationTransitions.frozenDropped(this);
    }

    /** The migrating slots among {@code done} belong to their target, and migrate no more. */
    public Topology withMigrationsDone(Collection<Integer> done) {
        return MigrationTransitions.done(this, done);
    }

    /** {@code group} added, owning no slots yet. */
    public Topology withGroupAdded(Group group) {
        return GroupTransitions.added(this, group);
    }

    /** {@code groupId} removed; refused while the group owns slots. */
    public Topology withGroupRemoved(String groupId) {
        return GroupTransitions.removed(this, groupId);
    }

    /** Each range given to its group (metadata only: no data moves). */
    public Topology withSlotsAssigned(List<SlotRange> ranges) {
        return GroupTransitions.slotsAssigned(this, ranges);
    }

    /**
     * {@code newMaster} the master of {@code groupId} and {@code newReplicas} its replicas (a
     * failover: the old master is usually listed among the replicas, so that it is made one when it
     * returns); the group becomes {@link GroupState#ACTIVE}. Addresses that leave or join the group
     * are unclaimed or claimed with the write ({@link ClusterStore#update}).
     */
    public Topology withMaster(String groupId, HostPort newMaster, List<HostPort> newReplicas) {
        return GroupTransitions.master(this, groupId, newMaster, newReplicas);
    }

    /**
     * Cache mode, a group's master failed: its slots go to the {@link GroupState#ACTIVE} groups and
     * it is {@link GroupState#FAILED}; with no active group left it keeps them and is
     * {@link GroupState#DOWN}. See {@link FailoverTransitions#failed}.
     */
    public Topology withGroupFailed(String groupId) {
        return FailoverTransitions.failed(this, groupId);
    }

    /**
     * A failed or down group is back: it is {@link GroupState#ACTIVE}; with {@code takeShare} it
     * also gets an even share of the active groups' slots (metadata only: in cache mode they start
     * empty). See {@link FailoverTransitions#rejoined}.
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
        return FailoverTransitions.rejoined(this, groupId, takeShare, former);
    }

    /** One group's state changed. */
    public Topology withGroupState(String groupId, GroupState state) {
        return GroupTransitions.state(this, groupId, state);
    }

    /** The index of {@code groupId} in {@link #groups()}; {@link StoreException.NotFound} if there is none. */
    int indexOf(String groupId) {
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
