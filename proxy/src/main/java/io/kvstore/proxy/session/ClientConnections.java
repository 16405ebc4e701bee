package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.loop.WorkerContext;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import java.util.HashMap;
import java.util.Map;

/**
 * Which backend connection each request of one client goes on: the pipelined shared connection of
 * its RESP version, the loop's tracked connection while the client tracks keys, or the client's own
 * (dedicated) connection to a group for MULTI/EXEC, WATCH and blocking commands. The dedicated ones
 * follow the client: they switch RESP version with it and are tracked (redirected to the loop's
 * invalidation sinks) while it tracks. Confined to the client's event loop.
 *
 * <p>Invariant: {@code dedicated} holds at most one open connection per master address, each in the
 * client's current RESP version once the HELLOs sent to it are through; all are closed with the client.
 */
final class ClientConnections {

    private final ClientSession session;
    private final WorkerContext worker;
    private final Map<HostPort, BackendConnection> dedicated = new HashMap<>(2);

    ClientConnections(ClientSession session, WorkerContext worker) {
        this.session = session;
        this.worker = worker;
    }

    /**
     * The shared connection for {@code group}: the pipelined one of the client's RESP version, or,
     * with tracking on, the loop's tracked one. A read that cannot be tracked (the group's
     * invalidation sink is not connected) goes untracked, and the client is told to drop its cache
     * right after that read's reply.
     */
    BackendConnection shared(SlotMap map, int group) {
        if (session.trackingOn()) {
            BackendConnection c = worker.tracking().connection(map, group, session.protocol());
            if (c != null) {
                return c;
            }
            session.tracking().invalidate(null);
        }
        return worker.backends().master(map, group, (int) session.id(), session.protocol());
    }

    /** The client's own connection to the master of {@code group}, made on first use. */
    BackendConnection dedicated(Group group) {
        return dedicated.computeIfAbsent(group.master(), a -> {
            BackendConnection c = worker.dedicated(group, session.protocol(), true); // stalls fail a stuck EXEC (blocking waits are exempt)
            if (session.trackingOn()) {
                track(c, a, true);
            }
            return c;
        });
    }

    /**
     * The client's own connection to the master of {@code group} if one is open, else null: for
     * clean-up (UNWATCH) that must not open a connection, least of all to a group that is down.
     */
    BackendConnection dedicatedIfOpen(Group group) {
        return dedicated.get(group.master());
    }

    /** The client switched RESP version: its own connections switch too, in order behind what they carry. */
    void protocolChanged(int version) {
        for (BackendConnection c : dedicated.values()) {
            c.send(RespWriter.command(session.alloc(), "HELLO", Integer.toString(version)), ReplySink.discarding());
        }
    }

    /** Turns server-side tracking on or off on the client's own connections, redirected to the sinks. */
    void tracking(boolean on) {
        dedicated.forEach((address, c) -> track(c, address, on));
    }

    private void track(BackendConnection c, HostPort address, boolean on) {
        long sink = worker.tracking().sinkId(address);
        if (!on) {
            c.send(RespWriter.command(session.alloc(), "CLIENT", "TRACKING", "off"), ReplySink.discarding());
        } else if (sink >= 0) {
            c.send(RespWriter.command(session.alloc(), "CLIENT", "TRACKING", "on", "REDIRECT", Long.toString(sink)),
                    ReplySink.discarding());
        }
    }

    /**
     * Adds to {@code out} each of this client's own connections with requests in flight (an EXEC, a
     * WATCH, a blocking command being moved), but not one whose only request is a blocking wait that
     * stays where it is ({@code waits}): its keys did not move, and a PING behind it would wait as
     * long as the command.
     */
    void busy(java.util.List<BackendConnection> out, BlockedCalls waits) {
        dedicated.forEach((master, c) -> {
            if (c.busy() && !waits.anyStaysOn(master)) {
                out.add(c);
            }
        });
    }

    void closeAll() {
        dedicated.values().forEach(BackendConnection::close);
        dedicated.clear();
    }
}
