package io.kvstore.proxy.session;

import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.rewrite.KeyRewrite;

/**
 * Where the dispatcher hands a request to key rewrite ({@link KeyRewrite}), once per request:
 * a request dispatched again (after a hold, or a blocking command woken without a value) is
 * already rewritten. Stateless; the client's event loop.
 */
final class RewriteStep {

    private RewriteStep() {
    }

    /**
     * The request to dispatch, or null when it was answered here (a reserved key name, a command
     * refused). {@code rules} is null while the cluster has no rule: then this is the data path's
     * one branch for key rewrite.
     */
    static Request apply(ClientSession session, Request request, PendingReply pending, CommandSpec spec, RewriteRules rules) {
        if (rules == null || pending.rewritten()) {
            return request;
        }
        KeyRewrite.Outcome o = KeyRewrite.apply(rules, spec, request, session.alloc(), session.protocol());
        if (o.error() != null) {
            CommandDispatcher.reject(request, pending, o.error());
            return null;
        }
        pending.rewritten(o.replies());
        return o.request();
    }
}
