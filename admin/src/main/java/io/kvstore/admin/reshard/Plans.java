package io.kvstore.admin.reshard;

import io.kvstore.config.SlotHash;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Which slots a resharding command moves where: pure functions of the topology. */
public final class Plans {

    private Plans() {
    }

    /**
     * Even out slots over all groups: group i should own 16384/n slots (the first 16384 % n one
     * more); groups above that give their highest slots to groups below it. Moves as few slots as
     * evening out needs. Groups that refuse clients (failed, down) are left out: they keep what they
     * own and get nothing.
     */
    public static List<SlotRange> rebalance(Topology t) {
        List<String> serving = t.groups().stream().map(g -> g.id()).filter(g -> !t.state(g).refusesClients()).toList();
        Map<String, Integer> have = new LinkedHashMap<>();
        t.groups().forEach(g -> have.put(g.id(), t.slotCount(g.id())));
        // A failed or down group can neither give (its master is gone) nor take: it keeps what it has.
        int share = SlotHash.SLOTS - t.groups().stream().filter(g -> !serving.contains(g.id())).mapToInt(g -> have.get(g.id())).sum();
        int n = serving.size();
        Map<String, Integer> want = new LinkedHashMap<>();
        for (String g : have.keySet()) {
            int i = serving.indexOf(g);
            want.put(g, i < 0 ? have.get(g) : share / n + (i < share % n ? 1 : 0));
        }
        List<Integer> spare = new ArrayList<>();
        for (int s = SlotHash.SLOTS - 1; s >= 0; s--) {
            String owner = t.owner(s);
            if (have.get(owner) > want.get(owner)) {
                have.merge(owner, -1, Integer::sum);
                spare.add(s);
            }
        }
        List<int[]> moves = new ArrayList<>(); // slot, receiver index
        int i = 0;
        for (Map.Entry<String, Integer> e : want.entrySet()) {
            while (have.get(e.getKey()) < e.getValue() && i < spare.size()) {
                have.merge(e.getKey(), 1, Integer::sum);
                moves.add(new int[] {spare.get(i++), t.groups().indexOf(t.group(e.getKey()).orElseThrow())});
            }
        }
        moves.sort((a, b) -> Integer.compare(a[0], b[0]));
        return ranges(t, moves);
    }

    /** The index of group {@code id}, which must exist and serve clients: slots cannot move to or from a failed or down group. */
    private static int serving(Topology t, String id) {
        int index = t.groups().indexOf(t.group(id).orElseThrow(() -> new IllegalArgumentException("no group " + id)));
        if (t.state(id).refusesClients()) {
            throw new IllegalArgumentException("group " + id + " is " + t.state(id).wireName() + ": slots cannot move to or from it");
        }
        return index;
    }

    /** The {@code count} highest slots of {@code from}, to {@code to}. */
    public static List<SlotRange> reshard(Topology t, String from, String to, int count) {
        int toIndex = serving(t, to);
        serving(t, from);
        if (from.equals(to)) {
            throw new IllegalArgumentException("--from and --to name the same group");
        }
        List<int[]> moves = new ArrayList<>();
        for (int s = SlotHash.SLOTS - 1; s >= 0 && moves.size() < count; s--) {
            if (t.owner(s).equals(from)) {
                moves.add(new int[] {s, toIndex});
            }
        }
        if (moves.size() < count) {
            throw new IllegalArgumentException("group " + from + " owns only " + moves.size() + " slots");
        }
        moves.sort((a, b) -> Integer.compare(a[0], b[0]));
        return ranges(t, moves);
    }

    /** Slots {@code start..end} to {@code to}, skipping those it owns already. */
    public static List<SlotRange> migrate(Topology t, int start, int end, String to) {
        int toIndex = serving(t, to);
        if (start < 0 || end >= SlotHash.SLOTS || start > end) {
            throw new IllegalArgumentException("slots must be within 0-" + (SlotHash.SLOTS - 1));
        }
        List<int[]> moves = new ArrayList<>();
        for (int s = start; s <= end; s++) {
            if (!t.owner(s).equals(to)) {
                serving(t, t.owner(s));
                moves.add(new int[] {s, toIndex});
            }
        }
        return ranges(t, moves);
    }

    /**
     * The slots of the next step, as ranges: slots of the job not yet owned by their target. Every
     * source a step touches is scanned whole (twice) whatever it moves, so a step takes as much as
     * it may from each source: with one source at a time, up to chunkSlots slots in the job's
     * order; with several at once, up to chunkSlots slots from each of up to parallelSources
     * source groups, which their movers then empty side by side.
     */
    static List<SlotRange> nextStep(Topology t, MigrationJob job) {
        boolean parallel = job.tuning().parallelSources() > 1;
        Map<String, List<SlotRange>> byOwner = new LinkedHashMap<>(); // single slots still to move, per owner
        for (SlotRange r : job.moves()) {
            if (t.group(r.groupId()).isEmpty()) {
                throw new StoreException.Conflict("group " + r.groupId() + " of the migration left the cluster");
            }
            for (int s = r.start(); s <= r.end(); s++) {
                String owner = t.owner(s);
                if (!owner.equals(r.groupId())) {
                    byOwner.computeIfAbsent(parallel ? owner : "", o -> new ArrayList<>()).add(new SlotRange(s, s, r.groupId()));
                }
            }
        }
        int chunk = Math.max(1, job.chunkSlots());
        List<SlotRange> chosen = new ArrayList<>();
        byOwner.values().stream().limit(job.tuning().parallelSources())
                .forEach(slots -> chosen.addAll(slots.subList(0, Math.min(chunk, slots.size()))));
        chosen.sort(Comparator.comparingInt(SlotRange::start));
        List<SlotRange> out = new ArrayList<>();
        for (SlotRange r : chosen) {
            SlotRange last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.end() + 1 == r.start() && last.groupId().equals(r.groupId())) {
                out.set(out.size() - 1, new SlotRange(last.start(), r.start(), r.groupId()));
            } else {
                out.add(r);
            }
        }
        return out;
    }

    /** Sorted (slot, group index) pairs as maximal ranges. */
    private static List<SlotRange> ranges(Topology t, List<int[]> moves) {
        List<SlotRange> out = new ArrayList<>();
        int i = 0;
        while (i < moves.size()) {
            int j = i;
            while (j + 1 < moves.size() && moves.get(j + 1)[0] == moves.get(j)[0] + 1 && moves.get(j + 1)[1] == moves.get(i)[1]) {
                j++;
            }
            out.add(new SlotRange(moves.get(i)[0], moves.get(j)[0], t.groups().get(moves.get(i)[1]).id()));
            i = j + 1;
        }
        return out;
    }
}
