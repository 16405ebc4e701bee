package io.kvstore.config.store;

import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import java.util.Collection;
import java.util.List;

/**
 * The topology changes of a resharding: mark slots as migrating (frozen), let their keys move,
 * drop frozen marks, and hand finished slots to their target (see doc/resharding.md). Each
 * returns the next epoch; stateless, any thread.
 *
 * <p>Invariant: a slot is frozen only while it migrates, and only {@link #mark} freezes one; a
 * slot never migrates to its owner or to a group that is not serving (both refused).
 */
final class MigrationTransitions {

    private MigrationTransitions() {
    }

    /**
     * Each range marked as migrating to its group, frozen: proxies hold the commands on those
     * slots until {@link #moving}. A slot already migrating elsewhere is refused; one already
     * migrating to the same group keeps its phase.
     */
    static Topology mark(Topology t, List<SlotRange> targets) {
        SlotMap slots = t.slots();
        short[] to = slots.migratingArray();
        boolean[] frozen = slots.frozenArray();
        for (SlotRange r : targets) {
            short g = (short) t.indexOf(r.groupId());
            TopologyInvariants.requireServing(t, g);
            for (int s = r.start(); s <= r.end(); s++) {
                if (to[s] >= 0 && to[s] != g) {
                    throw new StoreException.Conflict("slot " + s + " is already migrating to " + t.groups().get(to[s]).id());
                }
                if (slots.groupIndex(s) != g && to[s] < 0) {
                    to[s] = g;
                    frozen[s] = true;
                }
            }
        }
        return t.withSlots(SlotMap.of(t.epoch() + 1, t.groups(), slots.ownerArray(), to, null, frozen), t.states());
    }

    /** No migrating slot is frozen any more: their keys may move. */
    static Topology moving(Topology t) {
        SlotMap slots = t.slots();
        return t.withSlots(SlotMap.of(t.epoch() + 1, t.groups(), slots.ownerArray(), slots.migratingArray()), t.states());
    }

    /**
     * The frozen migrations dropped: their slots stay with their owner. Safe because no key of a
     * frozen slot has moved; the driver does it when a proxy does not confirm the mark.
     */
    static Topology frozenDropped(Topology t) {
        SlotMap slots = t.slots();
        short[] to = slots.migratingArray();
        for (int s = 0; s < SlotHash.SLOTS; s++) {
            if (slots.isFrozen(s)) {
                to[s] = -1;
            }
        }
        return t.withSlots(SlotMap.of(t.epoch() + 1, t.groups(), slots.ownerArray(), to), t.states());
    }

    /** The migrating slots among {@code done} belong to their target, and migrate no more. */
    static Topology done(Topology t, Collection<Integer> done) {
        short[] owner = t.slots().ownerArray();
        short[] to = t.slots().migratingArray();
        for (int s : done) {
            if (to[s] >= 0) {
                owner[s] = to[s];
                to[s] = -1;
            }
        }
        return t.next(t.groups(), owner, to, t.states());
    }
}
