package io.kvstore.config.store;

import io.kvstore.config.HostPort;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * One failover of a group, kept in {@code failover/f-NNNNNNNNNN} (a persistent sequential node),
 * so that a controller elected after the one that started it can finish it, and so that
 * {@code kvstore-admin status} can show what happened. Immutable value; any thread.
 *
 * @param id          the node's name ({@code f-0000000012}); empty before it is created
 * @param group       the group failed over
 * @param kind        why: a master seen down, an operator's request, or a failed group rejoining
 * @param mode        the cluster's mode when it started
 * @param state       where it stands
 * @param oldMaster   the master being replaced (for a rejoin: the master coming back)
 * @param newMaster   the server promoted (or asked for: {@code --to}), or null while not chosen
 * @param epochBefore the topology epoch when it started
 * @param epoch       the epoch that published its outcome, 0 until then
 * @param startedAt   when it started (controller's clock, epoch milliseconds)
 * @param finishedAt  when it ended, 0 while it runs
 * @param lostBytes   data-store mode: how far (in replication-stream bytes) the promoted replica
 *                    was behind the last offset the controller saw on the old master; a lower
 *                    bound of what was lost, -1 when unknown
 * @param by          the controller (proxy id) that drives it
 * @param note        the last step done or the reason it failed, for people
 * @param slots       cache mode, a group failed: the slots it owned before, so that it gets the same
 *                    ones back when it rejoins (the others keep the keys they have cached longest)
 */
public record FailoverRecord(String id, String group, Kind kind, ClusterMode mode, State state, HostPort oldMaster,
                             HostPort newMaster, long epochBefore, long epoch, long startedAt, long finishedAt,
                             long lostBytes, String by, String note, List<SlotRange> slots) {

    /** Why a failover happens. A closed set. */
    public enum Kind {
        /** The controller saw the master down by quorum for {@code down-after}. */
        AUTO,
        /** An operator asked for it ({@code kvstore-admin failover}): no write may be lost. */
        PLANNED,
        /** Cache mode: a failed master is back, flushed, and takes slots again. */
        REJOIN;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Kind parse(String text) {
            return Kind.valueOf(text.toUpperCase(Locale.ROOT));
        }
    }

    /** Where a failover stands. A closed set. */
    public enum State {
        /** Asked for by an operator; no controller has picked it up yet. */
        REQUESTED,
        /** A controller works on it; a new leader finishes it. */
        RUNNING,
        /** Its outcome is published. */
        DONE,
        /** It stopped without changing the topology; {@code note} says why. */
        FAILED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static State parse(String text) {
            return State.valueOf(text.toUpperCase(Locale.ROOT));
        }

        public boolean finished() {
            return this == DONE || this == FAILED;
        }
    }

    public FailoverRecord {
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(oldMaster, "oldMaster");
        id = id == null ? "" : id;
        by = by == null ? "" : by;
        note = note == null ? "" : note;
        slots = slots == null ? List.of() : List.copyOf(slots);
    }

    /** A new record, running (or requested, for a planned failover), not created yet. */
    public static FailoverRecord start(String group, Kind kind, ClusterMode mode, HostPort oldMaster, HostPort newMaster,
                                       long epochBefore, long now, String by) {
        State s = kind == Kind.PLANNED ? State.REQUESTED : State.RUNNING;
        return new FailoverRecord("", group, kind, mode, s, oldMaster, newMaster, epochBefore, 0, now, 0, -1, by, "started", List.of());
    }

    public FailoverRecord withId(String newId) {
        return new FailoverRecord(newId, group, kind, mode, state, oldMaster, newMaster, epochBefore, epoch, startedAt,
                finishedAt, lostBytes, by, note, slots);
    }

    /** Taken over (or picked up) by controller {@code who}. */
    public FailoverRecord runBy(String who, String what) {
        return new FailoverRecord(id, group, kind, mode, State.RUNNING, oldMaster, newMaster, epochBefore, epoch, startedAt,
                finishedAt, lostBytes, who, what, slots);
    }

    /** A step done: the server chosen and how far behind it was. */
    public FailoverRecord chose(HostPort promoted, long lost, String what) {
        return new FailoverRecord(id, group, kind, mode, state, oldMaster, promoted, epochBefore, epoch, startedAt,
                finishedAt, lost, by, what, slots);
    }

    /** The slots the failed group owned, recorded before they are given away. */
    public FailoverRecord withSlots(List<SlotRange> owned, String what) {
        return new FailoverRecord(id, group, kind, mode, state, oldMaster, newMaster, epochBefore, epoch, startedAt,
                finishedAt, lostBytes, by, what, owned);
    }

    public FailoverRecord note(String what) {
        return new FailoverRecord(id, group, kind, mode, state, oldMaster, newMaster, epochBefore, epoch, startedAt,
                finishedAt, lostBytes, by, what, slots);
    }

    public FailoverRecord done(long publishedEpoch, long now, String what) {
        return new FailoverRecord(id, group, kind, mode, State.DONE, oldMaster, newMaster, epochBefore, publishedEpoch,
                startedAt, now, lostBytes, by, what, slots);
    }

    public FailoverRecord failed(long now, String why) {
        return new FailoverRecord(id, group, kind, mode, State.FAILED, oldMaster, newMaster, epochBefore, epoch, startedAt,
                now, lostBytes, by, why, slots);
    }
}
