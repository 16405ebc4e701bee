package io.kvstore.proxy.session;

import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.rewrite.KeyRewrite;

/**
 * The gate where key rewrite ({@link KeyRewrite}) sees each request once, right after
 * authentication. While the cluster has no rule it lets every request pass: one branch. With
 * rules, a request whose keys are rewritten is dispatched again as the rewritten request (resolved
 * afresh; its keys are at the same positions, and hash to the same slots), and a request that
 * names a reserved key is refused. A request dispatched again (so, after a hold or a blocking
 * command's wake-up too) is marked on its pending reply and not rewritten twice. A command queued
 * in MULTI carries its reply filter into the transaction, which applies it to the command's
 * element of EXEC's reply. Stateless; the client's event loop.
 */
final class RewriteGate implements Gate {

    private final ProxyContext proxy;
    private final CommandDispatcher dispatcher;

    RewriteGate(ProxyContext proxy, CommandDispatcher dispatcher) {
        this.proxy = proxy;
        this.dispatcher = dispatcher;
    }

    @Override
    public boolean takes(ClientSession session, Resolved call) {
        RewriteRules rules = proxy.cluster().rewrite(); // null unless the cluster has rules
        if (rules == null || call.pending().rewritten()) {
            return false;
        }
        KeyRewrite.Outcome o = KeyRewrite.apply(rules, call.spec(), call.request(), session.alloc(), session.protocol());
        if (o.error() != null) {
            call.pending().refuse(call.request(), o.error());
            return true;
        }
        call.pending().rewritten(o.replies());
        if (o.request() == call.request()) {
            return false;
        }
        dispatcher.dispatch(session, o.request(), call.pending());
        return true;
    }
}
