package io.kvstore.admin.snapshot;

import io.kvstore.config.store.StorePaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.zookeeper.KeeperException;

/**
 * Scheduled backups ({@code backup --every D --keep N}): periods aligned on multiples of D since
 * the epoch, so every host computes the same ones. For each period, the host that takes
 * {@code clusters/NAME/backup/lock} (a Curator mutex) and finds in {@code clusters/NAME/backup/last}
 * an older period takes the backup and records its period there before letting go; any other
 * host skips it. So two hosts running the same schedule take each backup once. Old snapshots of
 * the directory are pruned to the newest N. Main thread only.
 */
public final class Schedule {

    /** What happened to one period. */
    public enum Turn { TAKE, TAKEN_ELSEWHERE, LOCKED_ELSEWHERE }

    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final CuratorFramework zk;
    private final String cluster;
    private final long everyMillis;

    public Schedule(CuratorFramework zk, String cluster, Duration every) {
        this.zk = zk;
        this.cluster = cluster;
        this.everyMillis = every.toMillis();
        if (everyMillis < 1000) {
            throw new IllegalArgumentException("--every must be at least 1s");
        }
    }

    /** The start of the period {@code millis} falls in. */
    public long period(long millis) {
        return millis - Math.floorMod(millis, everyMillis);
    }

    public long next(long period) {
        return period + everyMillis;
    }

    /** The directory of the snapshot of {@code period} under {@code parent}. */
    public Path directory(Path parent, long period) {
        return parent.resolve(cluster + "-" + STAMP.format(Instant.ofEpochMilli(period)));
    }

    /** The work of a period to do under the lock. */
    @FunctionalInterface
    public interface Work {
        /** Returns true when the backup was taken (and the period is to be recorded). */
        boolean run() throws Exception;
    }

    /**
     * Runs {@code work} for {@code period} if this host gets the lock within {@code waitMillis} and
     * no host has taken the period yet; records the period when it returns true.
     */
    public Turn turn(long period, long waitMillis, Work work) throws Exception {
        String base = StorePaths.cluster(cluster) + "/backup";
        InterProcessMutex lock = new InterProcessMutex(zk, base + "/lock");
        if (!lock.acquire(waitMillis, TimeUnit.MILLISECONDS)) {
            return Turn.LOCKED_ELSEWHERE;
        }
        try {
            String last = base + "/last";
            long done = -1;
            try {
                done = Long.parseLong(new String(zk.getData().forPath(last), StandardCharsets.US_ASCII).trim());
            } catch (KeeperException.NoNodeException e) {
                // no backup recorded yet
            }
            if (done >= period) {
                return Turn.TAKEN_ELSEWHERE;
            }
            if (work.run()) {
                byte[] value = Long.toString(period).getBytes(StandardCharsets.US_ASCII);
                if (zk.checkExists().forPath(last) == null) {
                    zk.create().creatingParentsIfNeeded().forPath(last, value);
                } else {
                    zk.setData().forPath(last, value);
                }
            }
            return Turn.TAKE;
        } finally {
            lock.release();
        }
    }

    /** Deletes all but the newest {@code keep} snapshots of this cluster under {@code parent}; returns those deleted. */
    public List<Path> prune(Path parent, int keep) throws IOException {
        List<Path> snapshots = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(parent)) {
            dirs.filter(d -> d.getFileName().toString().startsWith(cluster + "-") && Files.exists(d.resolve("meta.json")))
                    .sorted(Comparator.comparing(d -> d.getFileName().toString()))
                    .forEach(snapshots::add);
        }
        List<Path> deleted = new ArrayList<>();
        for (int i = 0; i < snapshots.size() - keep; i++) {
            Path d = snapshots.get(i);
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(d);
            deleted.add(d);
        }
        return deleted;
    }
}
