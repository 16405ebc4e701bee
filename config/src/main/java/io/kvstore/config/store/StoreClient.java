package io.kvstore.config.store;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * The ZooKeeper client as the store's parts use it: the small node operations they share, the
 * back-off between compare-and-set attempts, and the translation of ZooKeeper and Curator
 * failures into operator-readable {@link StoreException}s. Every call blocks on the network:
 * never on a Netty event loop; otherwise any thread (no state beyond the client, which is
 * thread-safe).
 *
 * <p>Invariant: nothing leaves this class's callers as a raw {@link KeeperException}; a failure
 * names what was attempted and where ({@link #failure}). Public only for {@link #retryCas}, the
 * one compare-and-set retry loop of the store's writers (also {@code config.rewrite}'s).
 */
public final class StoreClient {

    /** Compare-and-set attempts before giving up with {@link StoreException.Conflict}. */
    static final int CAS_ATTEMPTS = 30;

    private final CuratorFramework client;
    private final String where;

    StoreClient(CuratorFramework client) {
        this.client = client;
        this.where = "ZooKeeper at " + client.getZookeeperClient().getCurrentConnectionString();
    }

    CuratorFramework client() {
        return client;
    }

    /** Where the store is, for messages: {@code ZooKeeper at host:port}. */
    String where() {
        return where;
    }

    boolean exists(String path) {
        try {
            return client.checkExists().forPath(path) != null;
        } catch (Exception e) {
            throw failure("look up " + path, e);
        }
    }

    /** The children of {@code path}; none if it does not exist. */
    List<String> children(String path) {
        try {
            return client.getChildren().forPath(path);
        } catch (KeeperException.NoNodeException e) {
            return List.of();
        } catch (Exception e) {
            throw failure("list " + path, e);
        }
    }

    /** Creates {@code path} (and its parents) unless it exists. */
    void ensure(String path) {
        try {
            client.create().creatingParentsIfNeeded().forPath(path);
        } catch (KeeperException.NodeExistsException fine) {
            // there already
        } catch (Exception e) {
            throw failure("create " + path, e);
        }
    }

    /** Sleeps a short random while, longer with each attempt, so that racing writers spread out. */
    static void backoff(int attempt) {
        try {
            Thread.sleep(ThreadLocalRandom.current().nextInt(1, 5 + Math.min(attempt, 10) * 10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException.Unavailable("interrupted", e);
        }
    }

    /** One try of a compare-and-set write: its result, or null to try again. */
    @FunctionalInterface
    public interface CasAttempt<T> {
        T attempt(int attempt) throws Exception;
    }

    /**
     * Runs {@code write} (attempts numbered from 1) until it returns a result, at most
     * {@link #CAS_ATTEMPTS} times, with {@link #backoff} between tries. A
     * {@link KeeperException.BadVersionException} or {@link KeeperException.NodeExistsException}
     * (another writer got there first) is one more try, on what that writer wrote. A runtime
     * exception propagates unchanged, another checked one as {@link StoreException.Unavailable}
     * ("cannot {@code what}"); after the last try, {@code gaveUp}.
     */
    public static <T> T retryCas(String what, CasAttempt<T> write, Supplier<? extends RuntimeException> gaveUp) {
        for (int attempt = 1; attempt <= CAS_ATTEMPTS; attempt++) {
            try {
                T done = write.attempt(attempt);
                if (done != null) {
                    return done;
                }
            } catch (KeeperException.BadVersionException | KeeperException.NodeExistsException lost) {
                // another writer won: the next try applies the change to what it wrote
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                if (e instanceof InterruptedException) {
                    Thread.currentThread().interrupt();
                }
                throw new StoreException.Unavailable("cannot " + what + ": " + e.getMessage(), e);
            }
            backoff(attempt);
        }
        throw gaveUp.get();
    }

    static StoreException.Conflict gaveUp(String cluster) {
        return new StoreException.Conflict("gave up after " + CAS_ATTEMPTS + " attempts: other writers keep changing cluster "
                + cluster + " at the same time; try again");
    }

    /** Turns a ZooKeeper or Curator failure into an operator-readable {@link StoreException}. */
    RuntimeException failure(String what, Exception e) {
        if (e instanceof StoreException se) {
            return se;
        }
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
        }
        if (e instanceof KeeperException.NoAuthException || e instanceof KeeperException.AuthFailedException) {
            return new StoreException.Unavailable("cannot " + what + ": " + where + " refused access"
                    + " (wrong or missing --zk-auth user:password?)", e);
        }
        if (e instanceof KeeperException ke) {
            return new StoreException.Unavailable("cannot " + what + ": " + where + " answered " + ke.code(), e);
        }
        if (e instanceof IllegalArgumentException iae) {
            return iae;
        }
        return new StoreException.Unavailable("cannot " + what + ": " + where + " is unreachable ("
                + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")", e);
    }
}
