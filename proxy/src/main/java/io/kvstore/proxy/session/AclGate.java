package io.kvstore.proxy.session;

import io.kvstore.proxy.acl.AclUser;

/**
 * The gate of a user's rules: a command, key or channel outside them gets Redis's own -NOPERM,
 * checked at the key positions the router uses. Inside MULTI the refusal aborts the transaction;
 * a refused EXEC discards it with -EXECABORT, as Redis answers. Holds only shared state; one
 * instance serves every event loop.
 */
final class AclGate implements Gate {

    private final ProxyContext proxy;
    private final TransactionCommands transactions;

    AclGate(ProxyContext proxy, TransactionCommands transactions) {
        this.proxy = proxy;
        this.transactions = transactions;
    }

    @Override
    public boolean takes(ClientSession session, Resolved call) {
        AclUser user = session.login().user();
        if (user.unrestricted() || call.pending().rewritten()) {
            return false; // a rewritten request was checked under the client's own key names before its rewrite
        }
        int[] at = new int[1];
        AclUser.Denial why = user.check(call.spec(), call.request(), 0, call.keys(), at);
        if (why == AclUser.Denial.NONE) {
            return false;
        }
        proxy.access().denied(session, why, why == AclUser.Denial.COMMAND ? call.spec().name()
                : at[0] < 0 ? "*" : call.request().argString(at[0]));
        String error = error(why, call.spec().name());
        if (call.spec().name().equals("exec")) { // Redis words a refused EXEC so, in MULTI or not
            if (session.transaction().inMulti()) {
                transactions.discard(session, call.map());
            }
            error = "EXECABORT Transaction discarded because of: " + error;
        } else if (session.transaction().inMulti()) {
            session.transaction().abort();
        }
        call.pending().refuse(call.request(), error);
        return true;
    }

    /** Redis 7.0's text for a refused request. */
    static String error(AclUser.Denial why, String command) {
        return switch (why) {
            case COMMAND -> "NOPERM this user has no permissions to run the '" + command + "' command";
            case KEY -> "NOPERM this user has no permissions to access one of the keys used as arguments";
            case CHANNEL -> "NOPERM this user has no permissions to access one of the channels used as arguments";
            case NONE -> throw new IllegalArgumentException("not a refusal");
        };
    }
}
