package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.RedisProtocol;

/**
 * A Jedis {@link JedisPubSub} subscriber on its own thread that records every message it gets, as
 * {@code "message <channel> <payload>"} or {@code "pmessage <pattern> <channel> <payload>"}. Waits
 * are bounded; {@link #close()} unsubscribes, joins the thread (bounded) and closes the
 * connection. Thread-safe.
 */
final class Subscriber implements AutoCloseable {

    private static final long WAIT_SECONDS = 30;

    private final String name;
    private final Jedis jedis;
    private final List<String> received = new ArrayList<>();
    private final AtomicInteger confirmations = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread thread;
    private final PubSub pubSub = new PubSub();

    private final class PubSub extends JedisPubSub {
        @Override
        public void onMessage(String channel, String message) {
            record("message " + channel + " " + message);
        }

        @Override
        public void onPMessage(String pattern, String channel, String message) {
            record("pmessage " + pattern + " " + channel + " " + message);
        }

        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            confirmed();
        }

        @Override
        public void onPSubscribe(String pattern, int subscribedChannels) {
            confirmed();
        }
    }

    /**
     * Connects to 127.0.0.1:{@code port} in RESP2, subscribes to {@code channels} and {@code
     * patterns} and returns once every subscription is confirmed.
     */
    static Subscriber start(String name, int port, List<String> channels, List<String> patterns) {
        return start(name, port, RedisProtocol.RESP2, channels, patterns);
    }

    /** As {@link #start(String, int, List, List)}, the connection speaking {@code protocol} (RESP3: HELLO 3 first). */
    static Subscriber start(String name, int port, RedisProtocol protocol, List<String> channels,
                            List<String> patterns) {
        Subscriber s = new Subscriber(name, port, protocol, channels);
        try {
            s.awaitConfirmations(channels.size());
            if (!patterns.isEmpty()) {
                s.pubSub.psubscribe(patterns.toArray(new String[0]));
                s.awaitConfirmations(channels.size() + patterns.size());
            }
            return s;
        } catch (RuntimeException | Error e) {
            s.close();
            throw e;
        }
    }

    private Subscriber(String name, int port, RedisProtocol protocol, List<String> channels) {
        if (channels.isEmpty()) {
            throw new IllegalArgumentException("subscribe to at least one channel");
        }
        this.name = name;
        this.jedis = new Jedis("127.0.0.1", port, DefaultJedisClientConfig.builder().protocol(protocol)
                .connectionTimeoutMillis(5_000).socketTimeoutMillis(0).build());
        this.thread = new Thread(() -> {
            try {
                jedis.subscribe(pubSub, channels.toArray(new String[0]));
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "subscriber-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    private void confirmed() {
        synchronized (this) {
            confirmations.incrementAndGet();
            notifyAll();
        }
    }

    private void record(String message) {
        synchronized (this) {
            received.add(message);
            notifyAll();
        }
    }

    private void awaitConfirmations(int n) {
        awaitCondition(() -> confirmations.get() >= n, n + " subscription confirmations");
    }

    /** Waits until a message equal to {@code message} has arrived. */
    void awaitMessage(String message) {
        awaitCondition(() -> received.contains(message), "message '" + message + "'");
    }

    /** Waits until {@code n} messages have arrived. */
    void awaitCount(int n) {
        awaitCondition(() -> received.size() >= n, n + " messages");
    }

    private synchronized void awaitCondition(java.util.function.BooleanSupplier done, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!done.getAsBoolean()) {
            Throwable t = failure.get();
            if (t != null) {
                throw new AssertionError(name + ": subscriber failed while waiting for " + what, t);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError(name + ": no " + what + " within " + WAIT_SECONDS + " s; received " + received);
            }
            try {
                wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", e);
            }
        }
    }

    /** A copy of everything received so far, in arrival order. */
    synchronized List<String> received() {
        return new ArrayList<>(received);
    }

    /** Ends the subscription the way Jedis users do: UNSUBSCRIBE and PUNSUBSCRIBE without arguments. */
    void unsubscribeAll() {
        pubSub.unsubscribe();
        pubSub.punsubscribe();
    }

    /** Whether the subscribing call has returned (Jedis returns once the subscription count reaches 0). */
    boolean awaitEnd(Duration timeout) {
        try {
            thread.join(timeout.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }

    /**
     * Disconnects (which ends the subscribing thread) and joins the thread, bounded. Closing the
     * socket rather than unsubscribing keeps this independent of how UNSUBSCRIBE is answered.
     */
    @Override
    public void close() {
        jedis.close();
        assertTrue(awaitEnd(Duration.ofSeconds(10)), name + ": subscriber thread did not stop");
    }
}
