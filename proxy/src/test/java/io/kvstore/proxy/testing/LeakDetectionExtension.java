package io.kvstore.proxy.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import io.netty.util.ResourceLeakTracker;
import java.lang.ref.PhantomReference;
import java.lang.ref.ReferenceQueue;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Turns every Netty leak report into a test failure. Registered for all proxy tests through
 * {@code META-INF/services/org.junit.jupiter.api.extension.Extension} with extension autodetection
 * on ({@code junit-platform.properties}).
 *
 * <p>Loading this class installs a {@link ResourceLeakDetectorFactory} whose detectors record each
 * leak they report, before the first buffer is allocated (JUnit instantiates autodetected
 * extensions when the engine starts, before any test class runs). Should a buffer have been
 * allocated earlier, the detector {@code AbstractByteBuf} already holds is given a leak listener
 * instead. After each test a few rounds of GC let the detectors find buffers that became garbage
 * without being released, and the test fails with the leak records (where each buffer was
 * created and last touched) in its message.
 *
 * <p>A leak is found only once its buffer has been collected, so a leak may surface in the test
 * that runs after the guilty one; the records show where it was allocated. Thread-safe: leaks are
 * reported from whatever thread allocates next.
 */
public final class LeakDetectionExtension implements AfterEachCallback {

    /** GC rounds per check; each round waits (bounded) for the reference handler to catch up. */
    private static final int ROUNDS = 3;
    private static final long ROUND_WAIT_MILLIS = 500;

    private static final Queue<String> LEAKS = new ConcurrentLinkedQueue<>();
    private static final List<ResourceLeakDetector<Object>> DETECTORS = new CopyOnWriteArrayList<>();
    private static volatile boolean listeningToForeignDetector;

    static {
        install();
    }

    private static void install() {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            // Run from an IDE without the surefire argLine: still track every buffer.
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        }
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new RecordingFactory());
        ResourceLeakDetector<?> buffers = byteBufDetector();
        if (buffers != null && !(buffers instanceof RecordingDetector)) {
            buffers.setLeakListener((type, records) -> record(type, records));
            listeningToForeignDetector = true;
        }
    }

    /** The detector every ByteBuf is tracked by, or null when Netty's internals changed shape. */
    private static ResourceLeakDetector<?> byteBufDetector() {
        try {
            Class<?> abstractByteBuf = Class.forName("io.netty.buffer.AbstractByteBuf", true,
                    LeakDetectionExtension.class.getClassLoader());
            Field field = abstractByteBuf.getDeclaredField("leakDetector");
            field.setAccessible(true);
            return (ResourceLeakDetector<?>) field.get(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        List<String> leaks = detectLeaks();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " Netty resource leak(s) detected"
                    + " (possibly left by an earlier test; see where each was created):\n\n"
                    + String.join("\n\n", leaks));
        }
    }

    /**
     * Forces leak detection and returns (and forgets) every leak recorded since the last call.
     * Bounded: a few GC rounds, each waiting at most {@value #ROUND_WAIT_MILLIS} ms.
     */
    public static List<String> detectLeaks() {
        poll(); // leaks already collected need no GC
        for (int round = 0; round < ROUNDS && LEAKS.isEmpty(); round++) {
            gcAndWaitForReferenceProcessing();
            poll();
        }
        List<String> out = new ArrayList<>();
        for (String leak; (leak = LEAKS.poll()) != null; ) {
            out.add(leak);
        }
        return out;
    }

    /** Whether this class saw the ByteBuf detector only after it was made (diagnostics). */
    public static boolean listeningToForeignDetector() {
        return listeningToForeignDetector;
    }

    private static void record(String resourceType, String records) {
        LEAKS.add("LEAK: " + resourceType + ".release() was not called before it was garbage-collected."
                + (records.isEmpty() ? " (no records)" : records));
    }

    /**
     * Runs a GC and waits until a sentinel phantom reference made before it is enqueued, so
     * phantom references of leaked buffers collected by the same GC are most likely enqueued too.
     */
    private static void gcAndWaitForReferenceProcessing() {
        ReferenceQueue<Object> queue = new ReferenceQueue<>();
        PhantomReference<Object> sentinel = sentinel(queue);
        System.gc();
        try {
            queue.remove(ROUND_WAIT_MILLIS);
            Thread.sleep(1); // let the reference handler finish the batch the sentinel was in
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        sentinel.clear();
    }

    private static PhantomReference<Object> sentinel(ReferenceQueue<Object> queue) {
        return new PhantomReference<>(new Object(), queue);
    }

    /** At paranoid level a detector drains its reference queue, reporting leaks, on every track call. */
    private static void poll() {
        Object probe = new Object();
        for (ResourceLeakDetector<Object> detector : DETECTORS) {
            ResourceLeakTracker<Object> tracker = detector.track(probe);
            if (tracker != null) {
                tracker.close(probe);
            }
        }
        ByteBuf direct = Unpooled.directBuffer(1); // unpooled heap buffers are never tracked
        direct.release();
        ByteBuf pooled = ByteBufAllocator.DEFAULT.buffer(1);
        pooled.release();
    }

    /** Makes detectors that record what they report. */
    private static final class RecordingFactory extends ResourceLeakDetectorFactory {

        @Override
        @SuppressWarnings("deprecation")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
            return newResourceLeakDetector(resource, samplingInterval);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval) {
            RecordingDetector<T> detector = new RecordingDetector<>(resource, samplingInterval);
            DETECTORS.add((ResourceLeakDetector<Object>) (ResourceLeakDetector<?>) detector);
            return detector;
        }
    }

    /** Logs as Netty does and records the report; reports even when the logger's ERROR level is off. */
    private static final class RecordingDetector<T> extends ResourceLeakDetector<T> {

        RecordingDetector(Class<?> resource, int samplingInterval) {
            super(resource, samplingInterval);
        }

        @Override
        protected boolean needReport() {
            return true;
        }

        @Override
        protected void reportTracedLeak(String resourceType, String records) {
            super.reportTracedLeak(resourceType, records);
            record(resourceType, records);
        }

        @Override
        protected void reportUntracedLeak(String resourceType) {
            super.reportUntracedLeak(resourceType);
            record(resourceType, "");
        }
    }
}
