package io.kvstore.admin.snapshot;

import io.kvstore.admin.redis.KeyScan;
import io.kvstore.admin.reshard.RateLimit;
import io.kvstore.config.BackendAuth;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads every key of a cluster into a {@link SnapshotWriter}: per group, a SCAN pass over the
 * server chosen by {@link #source}, and for each batch of keys one {@code MULTI (PTTL k, DUMP k)...
 * EXEC}, pipelined: one round trip per batch, and each key's payload and TTL from the same
 * instant. A key whose slot the group does not own (a stray, see {@code verify}) is skipped and
 * counted; so is one that was deleted or expired between SCAN and DUMP. Memory holds one batch.
 * Main thread only.
 */
public final class Backup {

    /** Keys asked per SCAN call: the batch, so also what memory holds at once. */
    static final int SCAN_COUNT = 500;
    /** A replica further behind its master than this is not read (its keys would be older). */
    static final long MAX_LAG_BYTES = 8 << 20;
    /** The replica must have heard from its master this recently. */
    static final int MAX_IO_SECONDS = 10;

    /** Where a group is read from, and why there when it is not what was asked. */
    public record Source(Group group, HostPort address, boolean master, long dbSize, String note) {
    }

    /** What was read from one group. */
    public record GroupResult(Source source, String redisVersion, long keys, long strays, long vanished) {
    }

    private final BackendAuth auth;
    private final int timeoutMs;
    private final RateLimit rate;

    public Backup(BackendAuth auth, int timeoutMs, int keysPerSecond) {
        this.auth = auth;
        this.timeoutMs = timeoutMs;
        this.rate = new RateLimit(keysPerSecond);
    }

    /**
     * The server to read {@code g} from: with {@code fromReplicas}, the first replica that answers,
     * follows the group's master with its link up and is less than {@link #MAX_LAG_BYTES} behind
     * it; else (or when none is fit, saying why in the note) the master.
     */
    public Source source(Group g, boolean fromReplicas) throws IOException {
        List<String> unfit = new ArrayList<>();
        if (fromReplicas) {
            Long masterOffset = masterOffset(g.master());
            for (HostPort r : g.replicas()) {
                try (RespClient c = RespClient.connect(r, auth, timeoutMs)) {
                    String why = unfit(c.info("replication"), g.master(), masterOffset);
                    if (why == null) {
                        return new Source(g, r, false, dbSize(c), masterOffset == null
                                ? "group " + g.id() + ": master " + g.master() + " does not answer; reading from its replica " + r
                                : null);
                    }
                    unfit.add("replica " + r + " " + why);
                } catch (IOException e) {
                    unfit.add("replica " + r + " is down (" + e.getMessage() + ")");
                }
            }
        }
        try (RespClient c = RespClient.connect(g.master(), auth, timeoutMs)) {
            String note = !fromReplicas ? null
                    : unfit.isEmpty() ? "group " + g.id() + " has no replica; reading from the master " + g.master()
                    : "group " + g.id() + ": " + String.join(", ", unfit) + "; reading from the master " + g.master();
            return new Source(g, g.master(), true, dbSize(c), note);
        } catch (IOException e) {
            throw new IOException("group " + g.id() + ": cannot read it: master " + g.master() + " does not answer ("
                    + e.getMessage() + ")" + (unfit.isEmpty() ? "" : " and " + String.join(", ", unfit)), e);
        }
    }

    private Long masterOffset(HostPort master) {
        try (RespClient c = RespClient.connect(master, auth, timeoutMs)) {
            return Long.parseLong(c.info("replication").getOrDefault("master_repl_offset", "0"));
        } catch (IOException | NumberFormatException e) {
            return null;
        }
    }

    /** Why a replica with this INFO replication is not fit to be read, or null if it is. */
    static String unfit(Map<String, String> info, HostPort master, Long masterOffset) {
        if (!"slave".equals(info.get("role"))) {
            return "is not a replica (role " + info.get("role") + ")";
        }
        String follows = info.get("master_host") + ":" + info.get("master_port");
        if (!follows.equals(master.toString())) {
            return "follows " + follows + ", not the group's master";
        }
        if (!"up".equals(info.get("master_link_status"))) {
            return "has its link to the master down";
        }
        if (Long.parseLong(info.getOrDefault("master_last_io_seconds_ago", "-1")) > MAX_IO_SECONDS) {
            return "has not heard from its master for " + info.get("master_last_io_seconds_ago") + " s";
        }
        long lag = masterOffset == null ? 0 : masterOffset - Long.parseLong(info.getOrDefault("slave_repl_offset", "0"));
        if (lag > MAX_LAG_BYTES) {
            return "is " + lag + " bytes behind its master";
        }
        return null;
    }

    private static long dbSize(RespClient c) throws IOException {
        return (Long) c.call("DBSIZE");
    }

    /**
     * Writes every key of group {@code index} of {@code map} found on {@code source} to {@code out};
     * with {@code withMigrating}, also the keys of slots migrating to the group.
     */
    public GroupResult read(Source source, SlotMap map, int index, boolean withMigrating, SnapshotWriter out,
                            KeyProgress progress) throws IOException {
        long[] counts = {0, 0, 0}; // keys, strays, vanished
        try (RespClient c = RespClient.connect(source.address(), auth, Math.max(timeoutMs, 60_000))) {
            String version = c.info("server").getOrDefault("redis_version", "?");
            KeyScan.pass(c, SCAN_COUNT, keys -> {
                List<byte[]> mine = new ArrayList<>(keys.size());
                for (byte[] k : keys) {
                    int slot = SlotHash.slot(k);
                    if (map.groupIndex(slot) == index || (withMigrating && map.migrationTarget(slot) == index)) {
                        mine.add(k);
                    } else {
                        counts[1]++;
                    }
                }
                if (mine.isEmpty()) {
                    return;
                }
                rate.acquire(mine.size());
                List<byte[][]> commands = new ArrayList<>(mine.size() * 2 + 2);
                commands.add(new byte[][] {MULTI});
                for (byte[] k : mine) {
                    commands.add(new byte[][] {PTTL, k});
                    commands.add(new byte[][] {DUMP, k});
                }
                commands.add(new byte[][] {EXEC});
                List<Object> replies = c.pipeline(commands);
                long now = System.currentTimeMillis();
                Object exec = replies.get(replies.size() - 1);
                if (!(exec instanceof List<?> results)) {
                    Object first = replies.stream().filter(r -> r instanceof IOException).findFirst().orElse(exec);
                    throw new IOException("reading keys from " + source.address() + " failed: " + first);
                }
                long bytes = 0;
                for (int i = 0; i < mine.size(); i++) {
                    Object pttl = results.get(2 * i);
                    Object dump = results.get(2 * i + 1);
                    if (pttl instanceof IOException e) {
                        throw e;
                    }
                    if (dump instanceof IOException e) {
                        throw e;
                    }
                    long ms = (Long) pttl;
                    if (dump == null || ms == -2) {
                        counts[2]++;
                        continue;
                    }
                    byte[] payload = (byte[]) dump;
                    out.key(mine.get(i), payload, ms < 0 ? 0 : now + Math.max(ms, 1));
                    bytes += payload.length;
                    counts[0]++;
                }
                progress.add(mine.size(), bytes);
            });
            return new GroupResult(source, version, counts[0], counts[1], counts[2]);
        }
    }

    private static final byte[] MULTI = ascii("MULTI");
    private static final byte[] EXEC = ascii("EXEC");
    private static final byte[] PTTL = ascii("PTTL");
    private static final byte[] DUMP = ascii("DUMP");

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
