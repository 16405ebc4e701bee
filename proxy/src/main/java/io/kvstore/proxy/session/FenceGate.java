package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;

/**
 * The gate that refuses, while the proxy is fenced, what {@link Fence} says must not reach a
 * backend. Holds only shared immutable state; one instance serves every event loop.
 */
final class FenceGate implements Gate {

    private final ProxyContext proxy;
    private final TransactionCommands transactions;

    FenceGate(ProxyContext proxy, TransactionCommands transactions) {
        this.proxy = proxy;
        this.transactions = transactions;
    }

    @Override
    public boolean takes(ClientSession session, Resolved call) {
        String fence = proxy.cluster().fence();
        if (fence == null || !fenced(session, call.spec())) {
            return false;
        }
        refuse(session, call, fence);
        return true;
    }

    /**
     * Whether the fence stops this request. EXEC only when it would send a transaction: without
     * MULTI, or after a queueing error, it answers as Redis does (the error, -EXECABORT).
     */
    private static boolean fenced(ClientSession session, CommandSpec spec) {
        if (!spec.name().equals("exec")) {
            return Fence.stops(spec);
        }
        Transaction tx = session.transaction();
        return tx.inMulti() && !tx.aborted();
    }

    /**
     * Refuses a request while the proxy is fenced. A command queued after MULTI aborts the
     * transaction (EXEC then answers -EXECABORT); a fenced EXEC discards it, as Redis Cluster does
     * with an EXEC that gets a redirection, so none of its queued commands ever reaches a backend.
     */
    private void refuse(ClientSession session, Resolved call, String fence) {
        if (call.spec().name().equals("exec")) {
            transactions.discard(session, proxy.cluster().map());
        } else if (session.transaction().inMulti()) {
            session.transaction().abort();
        }
        call.pending().refuse(call.request(), Fence.error(fence));
    }
}
