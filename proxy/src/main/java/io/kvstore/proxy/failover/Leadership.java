package io.kvstore.proxy.failover;

import java.io.IOException;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This controller's place in the election of a cluster's failover leader: a Curator
 * {@link LeaderLatch} on {@code controller/}, which drops leadership on SUSPENDED and LOST.
 * Invariant: {@link #isLeader()} is false from the moment Curator says so or {@link #close()}
 * starts, so a check right before each change stops a deposed controller at once.
 *
 * <p>Threads: Curator's threads only flip the flag; the controller's thread reads it.
 */
final class Leadership implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Leadership.class);

    private final LeaderLatch latch;
    private final String cluster;
    private final String id;
    private volatile boolean leader;
    private volatile boolean closed;

    Leadership(CuratorFramework client, String latchPath, String cluster, String id) {
        this.latch = new LeaderLatch(client, latchPath, id, LeaderLatch.CloseMode.SILENT);
        this.cluster = cluster;
        this.id = id;
    }

    /** Joins the election; returns at once. */
    void start() {
        latch.addListener(new LeaderLatchListener() {
            @Override
            public void isLeader() {
                leader = true;
                LOG.info("this proxy ({}) now leads failover for cluster {}", id, cluster);
            }

            @Override
            public void notLeader() {
                leader = false;
                LOG.info("this proxy ({}) no longer leads failover for cluster {}", id, cluster);
            }
        });
        try {
            latch.start();
        } catch (Exception e) {
            throw new IllegalStateException("cannot join the controller election of cluster " + cluster, e);
        }
    }

    /** Whether this controller leads now (as far as it knows). */
    boolean isLeader() {
        return leader && !closed && latch.hasLeadership();
    }

    /** Throws {@link NotLeader} unless this controller leads. */
    void check() {
        if (!isLeader()) {
            throw new NotLeader();
        }
    }

    /**
     * The latch node that proves leadership, for a topology write to check in its transaction (a
     * late write of a controller whose session expired fails); throws {@link NotLeader} without one.
     */
    String guard() {
        check();
        String path = latch.getOurPath();
        if (path == null) {
            throw new NotLeader();
        }
        return path;
    }

    /** From now on this controller does not lead, whatever Curator says; the latch is left by {@link #close()}. */
    void resign() {
        closed = true;
        leader = false;
    }

    @Override
    public void close() {
        resign();
        try {
            latch.close();
        } catch (IOException | RuntimeException e) {
            LOG.warn("cannot leave the controller election cleanly: {}", e.toString());
        }
    }
}
