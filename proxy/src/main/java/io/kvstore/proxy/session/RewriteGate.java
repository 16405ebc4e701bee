package io.kvstore.proxy.session;

import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.rewrite.KeyRewrite;

/**
 * The gate where key rewrite ({@link KeyRewrite}) sees each request once, right after
 * authentication. While the cluster has no rule it lets every request pass: one branch. With
 * rules, a request whose keys are rewritten is dispatched again as the rewritten request (resolved
 * afresh; its keys are at the same positions, and hash to the same slots), and a request that
 * names a reserved key is refused. A request dispatched again (so, after a hold or a blocking
 * command's wake-up too) is marked on its pending reply and not rewritten twice. Stateless; the
 * client's event loop.
 */
final class RewriteGate implements Gate {

    static final String IN_MULTI = "ERR a command that replies with key names cannot be queued in MULTI while the cluster"
            + " has key rewrite rules";

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
        if (o.replies() != null && session.transaction().inMulti()) {
            // EXEC's reply would carry the stored names: no filter sees inside it
            session.transaction().abort();
            call.pending().refuse(o.request(), IN_MULTI);
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
