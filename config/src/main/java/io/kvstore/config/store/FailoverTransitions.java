package io.kvstore.config.store;

import io.kvstore.config.SlotHash;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cache-mode failover changes: a group whose master failed hands its slots to the active
 * groups, and takes a share back when it rejoins (see doc/failover.md). Each returns the next
 * epoch; stateless, any thread.
 *
 * <p>Invariant: a failed group owns no slot; only active groups receive or give slots; migrating
 * slots never change owner on a rejoin.
 */
final class FailoverTransitions {

    private FailoverTransitions() {
    }

    /**
     * {@code groupId}'s slots split evenly, in contiguous parts, over the active groups; the group
     * failed. Migrations from it go to their target at once (its keys are lost anyway), migrations
     * to it are dropped. With no active group left it keeps its slots and is down.
     */
    static Topology failed(Topology t, String groupId) {
        int g = t.indexOf(groupId);
        List<GroupState> states = t.states();
        List<Integer> receivers = new ArrayList<>();
        for (int i = 0; i < states.size(); i++) {
            if (i != g && states.get(i) == GroupState.ACTIVE) {
                receivers.add(i);
            }
        }
        List<GroupState> nextStates = new ArrayList<>(states);
        if (receivers.isEmpty()) {
            nextStates.set(g, GroupState.DOWN);
            return t.next(t.groups(), t.slots().ownerArray(), t.slots().migratingArray(), nextStates);
        }
        short[] owner = t.slots().ownerArray();
        short[] to = t.slots().migratingArray();
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
        return t.next(t.groups(), owner, to, nextStates);
    }

    /**
     * {@code groupId} active again; with {@code takeShare} it also gets an even share of the
     * active groups' slots (16384 / active groups, the first ones one more): first those in
     * {@code former} (what it owned before it failed), then the highest slots of the groups above
     * their share. Migrating slots do not move.
     */
    static Topology rejoined(Topology t, String groupId, boolean takeShare, List<SlotRange> former) {
        int g = t.indexOf(groupId);
        int groups = t.groups().size();
        List<GroupState> nextStates = new ArrayList<>(t.states());
        nextStates.set(g, GroupState.ACTIVE);
        short[] owner = t.slots().ownerArray();
        short[] to = t.slots().migratingArray();
        if (takeShare) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < groups; i++) {
                if (nextStates.get(i) == GroupState.ACTIVE) {
                    active.add(i);
                }
            }
            int[] have = new int[groups];
            for (short o : owner) {
                have[o]++;
            }
            int[] want = new int[groups];
            Arrays.fill(want, -1); // not active: keeps what it has
            for (int k = 0; k < active.size(); k++) {
                want[active.get(k)] = SlotHash.SLOTS / active.size() + (k < SlotHash.SLOTS % active.size() ? 1 : 0);
            }
            for (SlotRange r : former) {
                for (int s = r.start(); s <= r.end() && have[g] < want[g]; s++) {
                    take(owner, have, want, to, g, s, false);
                }
            }
            // Then from active groups above their share, highest slots first, so every giver keeps
            // its lower slots in one piece.
            for (int s = SlotHash.SLOTS - 1; s >= 0 && have[g] < want[g]; s--) {
                take(owner, have, want, to, g, s, true);
            }
        }
        return t.next(t.groups(), owner, to, nextStates);
    }

    /** Gives slot {@code s} to group {@code g} if its owner is active (and above its share, if {@code onlyFromRich}) and it does not migrate. */
    private static void take(short[] owner, int[] have, int[] want, short[] to, int g, int s, boolean onlyFromRich) {
        int o = owner[s];
        if (o != g && want[o] >= 0 && (!onlyFromRich || have[o] > want[o]) && to[s] < 0) {
            owner[s] = (short) g;
            have[o]--;
            have[g]++;
        }
    }
}
