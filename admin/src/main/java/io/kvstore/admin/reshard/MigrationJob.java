package io.kvstore.admin.reshard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.store.SlotRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A resharding job as recorded in ZooKeeper ({@code /kvstore/clusters/NAME/migrations/job}):
 * which slots go to which group, how far it got, and whether an operator asked it to stop.
 * Immutable value; written by whoever drives the job, read by anyone.
 *
 * <p>The job records intent and progress only; which slots are migrating <em>now</em> is in the
 * topology, so a driver that dies loses nothing: the next one finishes the slots the topology
 * shows as migrating, then goes on with the slots of the job not yet owned by their target.
 *
 * @param moves          slot ranges and the group each goes to
 * @param rateKeys       keys per second at most (0: no limit)
 * @param chunkSlots     slots moved per step (one epoch marks them migrating, one flips them)
 * @param noData         cache mode's fast path: flip ownership without moving keys
 * @param cancel         an operator asked the job to stop after the step under way
 * @param slotsDone      slots flipped so far
 * @param keysMoved      keys moved so far
 * @param startedAt      when the job was created (ms since the epoch)
 * @param updatedAt      when a driver last wrote progress
 * @param driver         who drives it (host and pid), for the operator
 * @param tuning         how the keys are moved (batches, parallel sources, latency pacing)
 */
public record MigrationJob(List<SlotRange> moves, int rateKeys, int chunkSlots, boolean noData, boolean cancel,
                           long slotsDone, long keysMoved, long startedAt, long updatedAt, String driver, MoveTuning tuning) {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int FORMAT_VERSION = 1;

    public MigrationJob {
        moves = List.copyOf(moves);
    }

    /** Total slots the job moves. */
    public long totalSlots() {
        return moves.stream().mapToLong(SlotRange::size).sum();
    }

    MigrationJob progress(long slots, long keys, String by) {
        return new MigrationJob(moves, rateKeys, chunkSlots, noData, cancel, slots, keys, startedAt, System.currentTimeMillis(), by, tuning);
    }

    /** The same job with the operator's request to stop after the step under way. */
    public MigrationJob cancelled() {
        return new MigrationJob(moves, rateKeys, chunkSlots, noData, true, slotsDone, keysMoved, startedAt, updatedAt, driver, tuning);
    }

    byte[] encode() {
        ObjectNode root = JSON.createObjectNode();
        root.put("version", FORMAT_VERSION);
        ArrayNode m = root.putArray("moves");
        moves.forEach(r -> m.addArray().add(r.start()).add(r.end()).add(r.groupId()));
        root.put("rateKeys", rateKeys);
        root.put("chunkSlots", chunkSlots);
        root.put("noData", noData);
        root.put("cancel", cancel);
        root.put("slotsDone", slotsDone);
        root.put("keysMoved", keysMoved);
        root.put("startedAt", startedAt);
        root.put("updatedAt", updatedAt);
        root.put("driver", driver);
        ObjectNode t = root.putObject("tuning");
        t.put("scanCount", tuning.scanCount());
        t.put("batchKeys", tuning.batchKeys());
        t.put("batchMillis", tuning.batchMillis());
        t.put("parallelSources", tuning.parallelSources());
        t.put("maxLatencyRatio", tuning.maxLatencyRatio());
        t.put("pacingFloor", tuning.pacingFloor());
        t.put("pacingStart", tuning.pacingStart());
        t.put("pacingWindowMillis", tuning.pacingWindowMillis());
        t.put("pacingTarget", tuning.pacingTarget());
        t.put("pacingBaselineMillis", tuning.pacingBaselineMillis());
        t.put("pacingIntervalMillis", tuning.pacingIntervalMillis());
        t.put("pacingBaselineQuantile", tuning.pacingBaselineQuantile());
        try {
            return JSON.writeValueAsBytes(root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The recorded tuning; a job written before it was recorded moves with the defaults. */
    private static MoveTuning tuning(JsonNode t) {
        MoveTuning d = MoveTuning.DEFAULT;
        return new MoveTuning(t.path("scanCount").asInt(d.scanCount()), t.path("batchKeys").asInt(d.batchKeys()),
                t.path("batchMillis").asInt(d.batchMillis()), t.path("parallelSources").asInt(d.parallelSources()),
                t.path("maxLatencyRatio").asDouble(d.maxLatencyRatio()), t.path("pacingFloor").asInt(d.pacingFloor()),
                t.path("pacingStart").asInt(d.pacingStart()), t.path("pacingWindowMillis").asInt(d.pacingWindowMillis()),
                t.path("pacingTarget").asDouble(d.pacingTarget()), t.path("pacingBaselineMillis").asInt(d.pacingBaselineMillis()),
                t.path("pacingIntervalMillis").asInt(d.pacingIntervalMillis()),
                t.path("pacingBaselineQuantile").asDouble(d.pacingBaselineQuantile()));
    }

    static MigrationJob decode(byte[] data) {
        try {
            JsonNode root = JSON.readTree(data);
            if (root.path("version").asInt() > FORMAT_VERSION) {
                throw new IllegalStateException("the migration job was written by a newer kvstore (format "
                        + root.path("version").asInt() + ")");
            }
            List<SlotRange> moves = new ArrayList<>();
            root.path("moves").forEach(r -> moves.add(new SlotRange(r.get(0).intValue(), r.get(1).intValue(), r.get(2).textValue())));
            return new MigrationJob(moves, root.path("rateKeys").asInt(), root.path("chunkSlots").asInt(1024),
                    root.path("noData").asBoolean(), root.path("cancel").asBoolean(), root.path("slotsDone").asLong(),
                    root.path("keysMoved").asLong(), root.path("startedAt").asLong(), root.path("updatedAt").asLong(),
                    root.path("driver").asText(""), tuning(root.path("tuning")));
        } catch (IOException e) {
            throw new IllegalStateException("unreadable migration job: " + e.getMessage(), e);
        }
    }
}
