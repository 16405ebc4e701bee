package io.kvstore.proxy.server;

import io.kvstore.proxy.backend.BackendConnection;

/**
 * A deliberate violation for ArchitectureTest's positive control: {@code server} driving a backend connection itself
 * instead of asking the backend pool. Test sources only, so the rules over main classes never see it. Never called;
 * no thread.
 */
final class ReachesIntoConnection {

    private ReachesIntoConnection() {}

    static boolean reaches(BackendConnection c) {
        return c.busy();
    }
}
