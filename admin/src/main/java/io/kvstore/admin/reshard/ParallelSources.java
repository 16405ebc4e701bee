package io.kvstore.admin.reshard;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs a step's work on several source groups at once: each source is a separate redis-server,
 * so moving from two of them takes two servers' time, not one's. At most {@code threads} run
 * together; a step waits for all of them, and the first failure is thrown once every source has
 * finished (the others' keys stay moved, which a repeated step tolerates). Created and closed by
 * the driver thread; the work runs on the pool's threads.
 */
final class ParallelSources implements AutoCloseable {

    /** The work on one source. */
    @FunctionalInterface
    interface Work<T> {
        void run(String source, T what) throws IOException;
    }

    private final int threads;
    private final ExecutorService pool;

    ParallelSources(int threads) {
        this.threads = threads;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kvstore-mover-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** Runs {@code work} for every entry of {@code bySource}, returns when all are done. */
    <T> void run(Map<String, T> bySource, Work<T> work) throws IOException {
        if (threads == 1 || bySource.size() <= 1) {
            for (Map.Entry<String, T> e : bySource.entrySet()) {
                work.run(e.getKey(), e.getValue());
            }
            return;
        }
        List<Future<?>> running = new ArrayList<>();
        for (Map.Entry<String, T> e : bySource.entrySet()) {
            running.add(pool.submit(() -> {
                work.run(e.getKey(), e.getValue());
                return null;
            }));
        }
        Throwable first = null;
        for (Future<?> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                first = first == null ? e.getCause() : first;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(true));
                throw new IOException("interrupted while moving keys", e);
            }
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first != null) {
            throw new IOException(first);
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
