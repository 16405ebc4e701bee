package io.kvstore.proxy.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import net.javacrumbs.shedlock.core.DefaultLockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.LockingTaskExecutor;
import net.javacrumbs.shedlock.core.LockingTaskExecutor.TaskResult;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.redis.jedis4.JedisLockProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;

/**
 * ShedLock (net.javacrumbs.shedlock:shedlock-provider-redis-jedis4 5.12.0, on Jedis 5) through
 * kvstore: a distributed lock kept as {@code job-lock:<env>:<name>} with SET NX PX, released with
 * DEL, extended with SET XX PX. The lock must exclude a second holder, move with its key's slot,
 * and two threads contending for it round after round must never both run the task.
 */
class ShedLockTest {

    private static final String ENV = "kvstore-it";

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    private static JedisPool pool;
    private static JedisLockProvider provider;

    @BeforeAll
    static void start() {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(8);
        pool = new JedisPool(config, "127.0.0.1", cluster.port(), 10_000);
        provider = new JedisLockProvider(pool, ENV);
    }

    @AfterAll
    static void stop() {
        if (pool != null) {
            pool.close();
        }
    }

    @BeforeEach
    void flush() {
        cluster.flushAll();
    }

    private static LockConfiguration config(String name) {
        return new LockConfiguration(Instant.now(), name, Duration.ofSeconds(60), Duration.ZERO);
    }

    private static String keyOf(String name) {
        return "job-lock:" + ENV + ":" + name;
    }

    @Test
    void lockExcludesASecondHolderUntilReleasedOnEveryShard() {
        for (int shard = 0; shard < 3; shard++) {
            String name = nameOnShard(shard);
            Optional<SimpleLock> first = provider.lock(config(name));
            assertTrue(first.isPresent(), name + ": a free lock is taken");
            assertFalse(provider.lock(config(name)).isPresent(), name + ": a held lock is not taken twice");
            try (Jedis direct = cluster.shard(shard).client()) {
                assertTrue(direct.exists(keyOf(name)), "the lock key lives on the shard of its slot");
                long pttl = direct.pttl(keyOf(name));
                assertTrue(pttl > 0 && pttl <= 60_000, "lockAtMostFor became the key's PX: " + pttl);
                Optional<SimpleLock> extended = first.get().extend(Duration.ofSeconds(120), Duration.ZERO);
                assertTrue(extended.isPresent(), "a held lock is extended");
                assertTrue(direct.pttl(keyOf(name)) > 60_000, "the extension reached the key");
                extended.get().unlock();
                assertFalse(direct.exists(keyOf(name)), "unlock (lockAtLeastFor 0) deletes the key");
            }
            Optional<SimpleLock> again = provider.lock(config(name));
            assertTrue(again.isPresent(), name + ": a released lock is taken again");
            again.get().unlock();
        }
        List<Optional<SimpleLock>> together = new ArrayList<>();
        for (int shard = 0; shard < 3; shard++) {
            together.add(provider.lock(config(nameOnShard(shard))));
        }
        together.forEach(l -> assertTrue(l.isPresent(), "locks of other names are independent"));
        together.forEach(l -> l.get().unlock());
    }

    /**
     * Two threads, 30 rounds, each round both try to run the task under the same lock (names
     * cycling over the shards). The winner holds the lock until the loser has been refused, so
     * every round has exactly one run and one skip, and the task never runs twice at once.
     */
    @Test
    void twoThreadsContendingNeverRunTheTaskTogether() throws Exception {
        int rounds = 30;
        LockingTaskExecutor executor = new DefaultLockingTaskExecutor(provider);
        CyclicBarrier start = new CyclicBarrier(2);
        CountDownLatch[] refused = new CountDownLatch[rounds];
        for (int r = 0; r < rounds; r++) {
            refused[r] = new CountDownLatch(1);
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        int[][] executed = new int[2][rounds];
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int me = t;
                workers.add(threads.submit(() -> {
                    for (int r = 0; r < rounds; r++) {
                        int round = r;
                        start.await(30, TimeUnit.SECONDS);
                        TaskResult<Integer> result = execute(executor, () -> {
                            if (running.incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                            }
                            try {
                                // hold the lock until the other thread has tried and been refused
                                assertTrue(refused[round].await(30, TimeUnit.SECONDS), "round " + round + ": no refusal");
                                return me;
                            } finally {
                                running.decrementAndGet();
                            }
                        }, config("job-" + (round % 6)));
                        if (result.wasExecuted()) {
                            executed[me][round] = 1;
                        } else {
                            refused[round].countDown();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(120, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }
        assertEquals(0, overlaps.get(), "the task never ran in both threads at once");
        for (int r = 0; r < rounds; r++) {
            assertEquals(1, executed[0][r] + executed[1][r], "round " + r + ": exactly one thread ran the task");
        }
        for (int shard = 0; shard < 3; shard++) {
            assertEquals(0, cluster.shard(shard).dbSize(), "every lock was released (deleted) on shard " + shard);
        }
    }

    private static <T> TaskResult<T> execute(LockingTaskExecutor executor, LockingTaskExecutor.TaskWithResult<T> task,
                                             LockConfiguration config) {
        try {
            return executor.executeWithLock(task, config);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static String nameOnShard(int shard) {
        for (int i = 0; i < 10_000; i++) {
            String name = "report-" + i;
            if (cluster.shardOf(keyOf(name)) == shard) {
                return name;
            }
        }
        throw new IllegalStateException("no lock name found for shard " + shard);
    }
}
