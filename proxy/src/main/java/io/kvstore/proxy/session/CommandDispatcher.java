package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Request;
import java.util.List;

/**
 * Decides, per request, whether and where it runs, in one sequence read top to bottom: resolve
 * the request once ({@link RequestResolver}: command, arity, keys, slot, map), pass it through
 * the gates in order, then route it ({@link Router}). Each gate may take the request (answer,
 * queue or hold it) and so end the dispatch; adding a check is adding one gate to {@link #gates}.
 * Holds only shared immutable state, so one instance serves every event loop.
 *
 * <p>Every path ends in exactly one of: the request frame handed on (to a backend connection, a
 * splitter, the transaction queue or the held requests) with the pending reply as its final sink,
 * or the frame released and the pending reply completed.
 */
public final class CommandDispatcher {

    private final ProxyContext proxy;
    private final RequestResolver resolver;
    private final Router router;
    /** In Redis's order: authentication, then the connection's context, then what may reach a backend. */
    private final List<Gate> gates;

    public CommandDispatcher(ProxyContext proxy) {
        this.proxy = proxy;
        TransactionCommands transactions = new TransactionCommands(proxy);
        this.resolver = new RequestResolver(proxy.commands());
        this.router = new Router(proxy, this, transactions);
        this.gates = List.of(
                CommandDispatcher::unauthenticated,
                new AclGate(proxy, transactions), // on the client's own key names: before any rewrite
                new RewriteGate(proxy, this),
                CommandDispatcher::observe,
                CommandDispatcher::outsideSubscribedContext,
                new FenceGate(proxy, transactions),
                transactions::queuesInMulti,
                OrderGate::holds,
                new MigrationHold(proxy, router));
    }

    void dispatch(ClientSession session, Request request, PendingReply pending) {
        Resolved call = resolver.resolve(session, request, pending, proxy.cluster().map());
        if (call == null) {
            return;
        }
        for (Gate gate : gates) {
            if (gate.takes(session, call)) {
                return;
            }
        }
        router.route(session, call, call.map());
    }

    /** The gate for a client that has not authenticated: only AUTH, HELLO, QUIT and RESET run. */
    private static boolean unauthenticated(ClientSession session, Resolved call) {
        if (session.login().authenticated() || LocalCommands.allowedBeforeAuth(call.spec())) {
            return false;
        }
        if (session.transaction().inMulti()) {
            session.transaction().abort();
        }
        call.pending().refuse(call.request(), "NOAUTH Authentication required.");
        return true;
    }

    /** Not a check: notes the command for CLIENT LIST and client-side caching, and lets it pass. */
    private static boolean observe(ClientSession session, Resolved call) {
        session.info().lastCommand(call.spec().name());
        if (session.trackingOn()) {
            session.tracking().beforeDispatch(call.spec(), call.request(), call.keys());
        }
        return false;
    }

    /** The gate for a RESP2 client in subscribed mode: only the (un)subscribe commands, PING, QUIT and RESET run. */
    private static boolean outsideSubscribedContext(ClientSession session, Resolved call) {
        CommandSpec spec = call.spec();
        if (!session.subscribed() || session.protocol() != 2 || allowedWhileSubscribed(spec)) { // RESP3 allows any command
            return false;
        }
        String why = "Can't execute '" + spec.name() + "': only (P|S)SUBSCRIBE / "
                + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context";
        // Redis words every refused EXEC as an aborted transaction (MULTI is refused here, so none is open).
        call.pending().refuse(call.request(), (spec.name().equals("exec") ? "EXECABORT Transaction discarded because of: " : "ERR ") + why);
        return true;
    }

    private static boolean allowedWhileSubscribed(CommandSpec spec) {
        return switch (spec.name()) {
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
                 "ping", "quit", "reset" -> true;
            default -> false;
        };
    }
}
