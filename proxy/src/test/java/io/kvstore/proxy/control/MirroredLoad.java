package io.kvstore.proxy.control;

import io.kvstore.proxy.it.support.RespSocket;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client thread that pipelines GET and SET of keys {@code k:i = v:i}, which every redis-server
 * holds ({@link ZkFixture#mirror}), so each reply has one right value whichever group a request
 * is routed to: any error, missing value, wrong value or reply out of order is a failure. Stops
 * by itself after {@code maxBatches}, or when told to, or at the first failure.
 */
final class MirroredLoad implements AutoCloseable {

    private final RespSocket socket;
    private final int keys;
    private final int pipeline;
    private final long maxBatches;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong batches = new AtomicLong();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private final Thread thread;

    MirroredLoad(int port, int keys, int pipeline, long maxBatches, long seed) {
        this.socket = RespSocket.connect(port, 30_000);
        this.keys = keys;
        this.pipeline = pipeline;
        this.maxBatches = maxBatches;
        this.thread = new Thread(() -> run(new SplittableRandom(seed)), "mirrored-load-" + port);
        thread.setDaemon(true);
        thread.start();
    }

    private void run(SplittableRandom random) {
        try {
            while (!stop.get() && batches.get() < maxBatches) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                List<String> expected = new ArrayList<>(pipeline);
                for (int j = 0; j < pipeline; j++) {
                    int i = random.nextInt(keys);
                    if (random.nextBoolean()) {
                        out.writeBytes(RespSocket.encode("GET", "k:" + i));
                        expected.add("v:" + i);
                    } else {
                        out.writeBytes(RespSocket.encode("SET", "k:" + i, "v:" + i));
                        expected.add("OK");
                    }
                }
                socket.send(out.toByteArray());
                for (int j = 0; j < pipeline; j++) {
                    Object reply = socket.read();
                    if (!expected.get(j).equals(reply)) {
                        failure.compareAndSet(null, "batch " + batches.get() + ", reply " + j + ": expected " + expected.get(j)
                                + ", got " + reply);
                        return;
                    }
                }
                batches.incrementAndGet();
            }
        } catch (RuntimeException e) {
            failure.compareAndSet(null, "client failed after " + batches.get() + " batches: " + e);
        }
    }

    long batches() {
        return batches.get();
    }

    String failure() {
        return failure.get();
    }

    boolean running() {
        return thread.isAlive();
    }

    /** Waits (bounded) until {@code more} further batches completed, so a change surely overlapped traffic. */
    void awaitProgress(long more) {
        long target = batches.get() + more;
        ZkFixture.await("load to complete " + more + " more batches (failure: " + failure.get() + ")",
                () -> batches.get() >= target || failure.get() != null || !thread.isAlive());
    }

    @Override
    public void close() throws InterruptedException {
        stop.set(true);
        thread.join(30_000);
        socket.close();
    }
}
