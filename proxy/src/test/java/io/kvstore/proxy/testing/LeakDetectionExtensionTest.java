package io.kvstore.proxy.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

/** Proves that the auto-registered {@link LeakDetectionExtension} notices a buffer that is never released. */
class LeakDetectionExtensionTest {

    @BeforeEach
    void startClean() {
        List<String> earlier = LeakDetectionExtension.detectLeaks();
        assertEquals(List.of(), earlier, "leaks left before this test");
    }

    @Test
    void runsAtParanoidLevelWithTheRecordingFactory() {
        assertEquals(ResourceLeakDetector.Level.PARANOID, ResourceLeakDetector.getLevel());
        assertTrue(ResourceLeakDetectorFactory.instance().getClass().getName().startsWith(LeakDetectionExtension.class.getName()),
                "factory installed: " + ResourceLeakDetectorFactory.instance());
    }

    @Test
    void detectLeaksReportsAnUnreleasedBuffer() {
        String hint = leakOneBuffer();
        List<String> leaks = LeakDetectionExtension.detectLeaks();
        assertTrue(leaks.stream().anyMatch(l -> l.contains(hint) && l.contains("ByteBuf")),
                "the leaked buffer is reported with its hint: " + leaks);
    }

    @Test
    void afterEachFailsTheTestWithTheLeakRecord() {
        String hint = leakOneBuffer();
        AssertionError e = assertThrows(AssertionError.class, () -> new LeakDetectionExtension().afterEach(null));
        assertTrue(e.getMessage().contains(hint), e.getMessage());
        assertTrue(e.getMessage().contains("leakOneBuffer"), "names where the buffer was created: " + e.getMessage());
        // The check drained what it reported, so the real afterEach of this test passes.
    }

    @Test
    void releasedBuffersAreNotReported() {
        for (int i = 0; i < 100; i++) {
            ByteBuf buf = Unpooled.directBuffer(64).writeLong(i);
            buf.release();
        }
        assertEquals(List.of(), LeakDetectionExtension.detectLeaks());
    }

    @Test
    @Disabled("enable to watch the extension fail a test that leaks")
    void leakingTestFails() {
        Unpooled.directBuffer(16).writeInt(42).touch("leaked on purpose by leakingTestFails");
    }

    /** In a method of its own so no frame keeps the buffer reachable. */
    private static String leakOneBuffer() {
        String hint = "deliberate-leak-" + UUID.randomUUID();
        // Unpooled heap buffers are not tracked (the GC frees them); direct and pooled ones are.
        ByteBuf buf = Unpooled.directBuffer(16).writeInt(42);
        buf.touch(hint);
        return hint;
    }
}
