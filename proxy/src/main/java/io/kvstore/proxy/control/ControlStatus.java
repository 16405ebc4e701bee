package io.kvstore.proxy.control;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;

/**
 * What the proxy's ZooKeeper side is doing, for INFO and for tests: the connection state, the
 * epoch applied, the last problem. Written by Curator's threads and the control thread, read by
 * anyone; thread-safe without locks: the whole status is an immutable {@link Snapshot} swapped
 * through an atomic reference, so a reader never sees, say, a new epoch with an old error.
 */
public final class ControlStatus {

    /** The ZooKeeper connection, as Curator reports it. A closed set. */
    public enum Connection {
        /** Not connected yet since start. */
        CONNECTING,
        /** Connected; changes are seen as they happen. */
        CONNECTED,
        /** Contact lost; the session may still come back. The last map keeps serving. */
        SUSPENDED,
        /** The session is gone; Curator keeps trying to make a new one. The last map keeps serving. */
        LOST,
        /** Closed by the proxy (shutting down). */
        CLOSED;

        public String wireName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One consistent view.
     *
     * @param zk               the ZooKeeper connect string
     * @param cluster          the cluster this proxy serves
     * @param connection       the ZooKeeper connection state
     * @param appliedEpoch     the epoch of the slot map in use, 0 before the first one
     * @param appliedAtMillis  when it was applied
     * @param lastError        the current problem with ZooKeeper or the stored topology, or null
     * @param lastErrorAtMillis when it was reported
     */
    public record Snapshot(String zk, String cluster, Connection connection, long appliedEpoch, long appliedAtMillis,
                           String lastError, long lastErrorAtMillis) {
    }

    private final AtomicReference<Snapshot> current;

    public ControlStatus(String zk, String cluster) {
        current = new AtomicReference<>(new Snapshot(zk, cluster, Connection.CONNECTING, 0, 0, null, 0));
    }

    public Snapshot snapshot() {
        return current.get();
    }

    public Connection connection() {
        return current.get().connection();
    }

    public long appliedEpoch() {
        return current.get().appliedEpoch();
    }

    /** The current problem, or null. */
    public String lastError() {
        return current.get().lastError();
    }

    void connection(Connection c) {
        update(s -> new Snapshot(s.zk(), s.cluster(), c, s.appliedEpoch(), s.appliedAtMillis(), s.lastError(), s.lastErrorAtMillis()));
    }

    /** A map of {@code epoch} is in use and the stored topology was read without trouble. */
    void applied(long epoch) {
        long now = System.currentTimeMillis();
        update(s -> new Snapshot(s.zk(), s.cluster(), s.connection(), epoch,
                epoch == s.appliedEpoch() ? s.appliedAtMillis() : now, null, 0));
    }

    void error(String message) {
        long now = System.currentTimeMillis();
        update(s -> new Snapshot(s.zk(), s.cluster(), s.connection(), s.appliedEpoch(), s.appliedAtMillis(), message,
                message.equals(s.lastError()) ? s.lastErrorAtMillis() : now));
    }

    private void update(UnaryOperator<Snapshot> change) {
        current.updateAndGet(change);
    }

    /**
     * INFO fields for the {@code # Proxy} section, each {@code name:value\r\n}: {@code zk_servers},
     * {@code zk_cluster}, {@code zk_state}, {@code zk_applied_epoch}, {@code zk_applied_at},
     * {@code zk_last_error} (empty when none). Values never contain line breaks.
     */
    public String infoLines() {
        Snapshot s = snapshot();
        List<String> lines = new ArrayList<>();
        lines.add("zk_servers:" + s.zk());
        lines.add("zk_cluster:" + s.cluster());
        lines.add("zk_state:" + s.connection().wireName());
        lines.add("zk_applied_epoch:" + s.appliedEpoch());
        lines.add("zk_applied_at:" + (s.appliedAtMillis() == 0 ? "" : Instant.ofEpochMilli(s.appliedAtMillis()).toString()));
        lines.add("zk_last_error:" + (s.lastError() == null ? "" : s.lastError().replaceAll("[\\r\\n]+", " ")));
        StringBuilder sb = new StringBuilder();
        lines.forEach(l -> sb.append(l).append("\r\n"));
        return sb.toString();
    }

    @Override
    public String toString() {
        Snapshot s = snapshot();
        return "ZooKeeper " + s.connection().wireName() + ", epoch " + s.appliedEpoch()
                + (s.lastError() == null ? "" : ", error: " + s.lastError());
    }
}
