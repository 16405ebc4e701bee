package io.kvstore.admin.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kvstore.config.store.SlotRange;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The job as kept in ZooKeeper: the mover's tuning survives a resume, and an older job moves with the defaults. */
class MigrationJobTest {

    @Test
    void theTuningIsRecorded() {
        MoveTuning tuning = new MoveTuning(200, 50, 7, 2, 1.5, 300, 4_000, 250, 0.6, 2_000, 3, 0.4);
        MigrationJob job = new MigrationJob(List.of(new SlotRange(0, 9, "g2")), 100, 10, false, false, 0, 0, 1, 1, "", tuning);
        assertEquals(tuning, MigrationJob.decode(job.encode()).tuning());
        assertEquals(job, MigrationJob.decode(job.encode()));
    }

    @Test
    void aJobWrittenBeforeTheTuningMovesWithTheDefaults() {
        String old = "{\"version\":1,\"moves\":[[0,9,\"g2\"]],\"rateKeys\":0,\"chunkSlots\":1024}";
        MigrationJob job = MigrationJob.decode(old.getBytes(StandardCharsets.UTF_8));
        assertEquals(MoveTuning.DEFAULT, job.tuning());
        assertEquals(1024, job.chunkSlots());
    }

    @Test
    void aJobWrittenBeforeThePacingOptionsPacesWithTheirDefaults() {
        String old = "{\"version\":1,\"moves\":[[0,9,\"g2\"]],\"tuning\":{\"scanCount\":200,\"batchKeys\":50,"
                + "\"batchMillis\":7,\"parallelSources\":2,\"maxLatencyRatio\":1.5}}";
        MoveTuning t = MigrationJob.decode(old.getBytes(StandardCharsets.UTF_8)).tuning();
        assertEquals(new MoveTuning(200, 50, 7, 2, 1.5), t);
        assertEquals(500, t.pacingFloor());
        assertEquals(10_000, t.pacingStart());
        assertEquals(500, t.pacingWindowMillis());
        assertEquals(0.7, t.pacingTarget());
        assertEquals(3_000, t.pacingBaselineMillis());
        assertEquals(1, t.pacingIntervalMillis());
        assertEquals(0.5, t.pacingBaselineQuantile());
    }

    @Test
    void aJobWrittenBeforeTheTargetBaselineAndIntervalKeepsItsOtherPacingOptions() {
        String old = "{\"version\":1,\"moves\":[[0,9,\"g2\"]],\"tuning\":{\"scanCount\":200,\"batchKeys\":50,"
                + "\"batchMillis\":7,\"parallelSources\":2,\"maxLatencyRatio\":1.5,\"pacingFloor\":300,"
                + "\"pacingStart\":4000,\"pacingWindowMillis\":250}}";
        MoveTuning t = MigrationJob.decode(old.getBytes(StandardCharsets.UTF_8)).tuning();
        assertEquals(new MoveTuning(200, 50, 7, 2, 1.5, 300, 4_000, 250, 0.7, 3_000, 1, 0.5), t);
    }

    @Test
    void badTuningIsRefusedWithTheOptionsName() {
        assertEquals("--batch-keys must be within 1-10000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 0, 20, 4, 0)).getMessage());
        assertEquals("--max-latency-ratio must be 0 (off) or within 1.1-100",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 1.0)).getMessage());
        assertEquals("--parallel-sources must be within 1-64",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 0, 0)).getMessage());
        assertEquals("--pacing-floor must be within 1-1000000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 0, 10_000, 500)).getMessage());
        assertEquals("--pacing-start must be within 1-10000000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 0, 500)).getMessage());
        assertEquals("--pacing-window-ms must be within 50-60000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 10_000, 49)).getMessage());
        assertEquals("--pacing-target must be within 0.3-1",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 10_000, 500, 1.5, 3_000, 1, 0.25))
                        .getMessage());
        assertEquals("--pacing-baseline-ms must be within 200-60000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 10_000, 500, 0.7, 100, 1, 0.25))
                        .getMessage());
        assertEquals("--pacing-baseline-quantile must be within 0.05-0.95",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 10_000, 500, 0.7, 3_000, 1, 1))
                        .getMessage());
        assertEquals("--pacing-interval-ms must be within 1-1000",
                assertThrows(IllegalArgumentException.class, () -> new MoveTuning(1000, 500, 20, 4, 2, 500, 10_000, 500, 0.7, 3_000, 0, 0.25))
                        .getMessage());
    }
}
