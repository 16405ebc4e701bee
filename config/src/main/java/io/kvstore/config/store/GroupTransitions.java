package io.kvstore.config.store;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The operator's and the failover controller's changes to a cluster's groups: add, remove, give
 * slots, change master, change state. Metadata only, no data moves. Each returns the next epoch;
 * stateless, any thread.
 *
 * <p>Invariant: a group leaves only when it owns no slot and no migration goes to it; slots are
 * assigned only when they do not migrate, and only to a serving group; groups are stored without
 * credentials.
 */
final class GroupTransitions {

    private GroupTransitions() {
    }

    /** {@code group} added, owning no slots yet. */
    static Topology added(Topology t, Group group) {
        if (t.group(group.id()).isPresent()) {
            throw new StoreException.Conflict("cluster " + t.cluster() + " already has a group " + group.id());
        }
        List<Group> next = new ArrayList<>(t.groups());
        next.add(new Group(group.id(), group.master(), group.replicas(), BackendAuth.NONE));
        List<GroupState> nextStates = new ArrayList<>(t.states());
        nextStates.add(GroupState.ACTIVE);
        return t.next(next, t.slots().ownerArray(), t.slots().migratingArray(), nextStates);
    }

    /** {@code groupId} removed; refused while the group owns slots or a migration goes to it. */
    static Topology removed(Topology t, String groupId) {
        int g = t.indexOf(groupId);
        int owned = t.slotCount(groupId);
        if (owned > 0) {
            throw new StoreException.Conflict("group " + groupId + " still owns " + owned + " slots; assign them to "
                    + "other groups first (kvstore-admin slots assign)");
        }
        List<Group> next = new ArrayList<>(t.groups());
        next.remove(g);
        List<GroupState> nextStates = new ArrayList<>(t.states());
        nextStates.remove(g);
        short[] owner = t.slots().ownerArray();
        short[] to = t.slots().migratingArray();
        for (int s = 0; s < owner.length; s++) {
            if (to[s] == g) {
                throw new StoreException.Conflict("group " + groupId + " is the target of a migration; finish or cancel it first");
            }
            // indexes above the removed group shift down by one
            if (owner[s] > g) {
                owner[s]--;
            }
            if (to[s] > g) {
                to[s]--;
            }
        }
        return t.next(next, owner, to, nextStates);
    }

    /** Each range given to its group. */
    static Topology slotsAssigned(Topology t, List<SlotRange> ranges) {
        if (ranges.isEmpty()) {
            throw new IllegalArgumentException("no slots given");
        }
        short[] owner = t.slots().ownerArray();
        short[] to = t.slots().migratingArray();
        for (SlotRange r : ranges) {
            short g = (short) t.indexOf(r.groupId());
            TopologyInvariants.requireServing(t, g);
            for (int s = r.start(); s <= r.end(); s++) {
                if (to[s] >= 0) {
                    throw new StoreException.Conflict("slot " + s + " is migrating; let the migration finish first");
                }
            }
            Arrays.fill(owner, r.start(), r.end() + 1, g);
        }
        return t.next(t.groups(), owner, to, t.states());
    }

    /** {@code newMaster} the master of {@code groupId}, {@code newReplicas} its replicas; the group is active. */
    static Topology master(Topology t, String groupId, HostPort newMaster, List<HostPort> newReplicas) {
        int g = t.indexOf(groupId);
        List<Group> next = new ArrayList<>(t.groups());
        next.set(g, new Group(groupId, newMaster, newReplicas, BackendAuth.NONE));
        List<GroupState> nextStates = new ArrayList<>(t.states());
        nextStates.set(g, GroupState.ACTIVE);
        return t.next(next, t.slots().ownerArray(), t.slots().migratingArray(), nextStates);
    }

    /** One group's state changed. */
    static Topology state(Topology t, String groupId, GroupState state) {
        List<GroupState> next = new ArrayList<>(t.states());
        next.set(t.indexOf(groupId), state);
        return t.next(t.groups(), t.slots().ownerArray(), t.slots().migratingArray(), next);
    }
}
