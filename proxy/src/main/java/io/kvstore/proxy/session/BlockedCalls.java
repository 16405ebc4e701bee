package io.kvstore.proxy.session;

import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * The blocking commands of one client that wait on its dedicated connections, oldest first
 * ({@link BlockedCall}). Owned by the client's event loop.
 *
 * <p>Invariant: a call is listed from when it is sent until its reply or failure arrives (or the
 * client closes). Once the client has shut down its sending side ({@link #abandonAll}), every
 * call listed then or later is abandoned: Redis drops a client blocked at end of file, and waiting
 * for the command instead could keep the connection forever on behalf of a client that has gone.
 */
final class BlockedCalls {

    private final ArrayDeque<BlockedCall> calls = new ArrayDeque<>(1);
    private boolean abandoning;

    /** A blocking command was sent on a dedicated connection. */
    void add(BlockedCall call) {
        calls.addLast(call);
        if (abandoning) {
            call.abandon();
        }
    }

    /** A blocking command has its reply (or was unblocked to be dispatched again). */
    void remove(BlockedCall call) {
        calls.remove(call);
    }

    /** Whether a blocking command of this client waits for its reply. */
    boolean any() {
        return !calls.isEmpty();
    }

    /** Whether a call waits on {@code master}'s connection and stays there (see {@link BlockedCall#staysOn}). */
    boolean anyStaysOn(HostPort master) {
        return calls.stream().anyMatch(c -> c.staysOn(master));
    }

    /** A new slot map is in place: a call whose keys moved is unblocked, to be dispatched again. */
    void mapChanged(SlotMap map) {
        for (BlockedCall call : calls) {
            if (call.displacedBy(map)) {
                call.unblock();
            }
        }
    }

    /** The client sends nothing more: every call waiting now, and any sent later, is stopped. */
    void abandonAll() {
        abandoning = true;
        new ArrayList<>(calls).forEach(BlockedCall::abandon); // a copy: an answered call leaves the list
    }

    /** The client closed: its connections go with it, so nothing is left to wait for. */
    void clear() {
        calls.clear();
    }
}
