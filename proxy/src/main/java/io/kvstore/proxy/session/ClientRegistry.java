package io.kvstore.proxy.session;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The connected clients of one proxy, for CLIENT LIST and CLIENT KILL. Thread-safe: sessions add
 * and remove themselves from their own loops, any loop may list them. What a listing shows of
 * another loop's session is read without locks and may be a moment old, which is all a listing
 * promises.
 */
public final class ClientRegistry {

    private final ConcurrentHashMap<Long, ClientSession> sessions = new ConcurrentHashMap<>();
    /** Runs a task once the connections accepted so far are registered here; see {@link #afterAccepts}. */
    private volatile Consumer<Runnable> acceptBarrier = Runnable::run;

    /**
     * Sets how to wait for connections the kernel has accepted but the proxy has not yet handed
     * to a loop (the server's accept loop and every worker loop), so that CLIENT LIST shows a
     * client whose connect has returned. Set once by the server at start.
     */
    public void acceptBarrier(Consumer<Runnable> barrier) {
        acceptBarrier = barrier;
    }

    /** Runs {@code then}, on some loop, once every connection accepted before this call is registered. */
    void afterAccepts(Runnable then) {
        acceptBarrier.accept(then);
    }

    void add(ClientSession session) {
        sessions.put(session.id(), session);
    }

    void remove(ClientSession session) {
        sessions.remove(session.id());
    }

    /**
     * Tells the subscribed clients of {@code worker}'s loop that a new map is in place, so their
     * subscriptions follow the channels' slots. Must run on that loop.
     */
    public void mapChanged(io.kvstore.proxy.loop.WorkerContext worker, io.kvstore.config.SlotMap map) {
        for (ClientSession s : sessions.values()) {
            if (s.worker() == worker) {
                s.mapChanged(map);
            }
        }
    }

    /** Adds the busy own connections of {@code worker}'s clients (transactions, moving blocking commands). Must run on that loop. */
    public void ownBusyConnections(io.kvstore.proxy.loop.WorkerContext worker, List<io.kvstore.proxy.backend.BackendConnection> out) {
        for (ClientSession s : sessions.values()) {
            if (s.worker() == worker) {
                s.ownBusyConnections(out);
            }
        }
    }

    /** The client with id {@code id}, on any loop, or null. */
    ClientSession byId(long id) {
        return sessions.get(id);
    }

    public int size() {
        return sessions.size();
    }

    Collection<ClientSession> all() {
        return sessions.values();
    }
}
