package io.kvstore.proxy.session;

/**
 * One step a resolved request passes before it is routed (authentication, context, fence,
 * transaction queueing, order holds, migration). The dispatcher runs its gates in one fixed list;
 * adding a check is adding a gate there. Gates run on the client's event loop.
 */
@FunctionalInterface
interface Gate {

    /**
     * Whether this gate took the request: answered it, queued it or held it (and so owns its
     * frame). When true the dispatch ends here; when false the request goes on to the next gate.
     */
    boolean takes(ClientSession session, Resolved call);
}
