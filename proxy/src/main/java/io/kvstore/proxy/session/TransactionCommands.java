package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.rewrite.TransactionReplies;
import io.netty.buffer.ByteBuf;
import java.util.function.UnaryOperator;

/**
 * MULTI, EXEC, DISCARD, WATCH and UNWATCH, and the queueing of commands between MULTI and EXEC
 * (see {@link Transaction} for the model). Holds only shared immutable state; one instance serves
 * every event loop, each call running on the client's loop.
 */
final class TransactionCommands {

    private final ProxyContext proxy;

    TransactionCommands(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /** Runs MULTI, WATCH, UNWATCH, DISCARD or EXEC. */
    void execute(ClientSession session, Resolved call, SlotMap map) {
        Request request = call.request();
        PendingReply pending = call.pending();
        CommandSpec spec = call.spec();
        Transaction tx = session.transaction();
        switch (spec.name()) {
            case "multi" -> {
                if (tx.inMulti()) {
                    pending.refuse(request, "ERR MULTI calls can not be nested");
                    return;
                }
                tx.begin();
                request.release();
                pending.onReply(Replies.ok());
            }
            case "watch" -> {
                if (tx.inMulti()) {
                    pending.refuse(request, "ERR WATCH inside MULTI is not allowed");
                    return;
                }
                MultiKeyScope keyScope = proxy.keyScope();
                int scope = keyScope.of(map, request, call.keys());
                int group = keyScope.group(map, scope);
                // Keys watched twice must sit where one transaction can run: same scope, same connection.
                if (scope == MultiKeyScope.CROSS || !tx.bind(scope) || (tx.watching() && tx.watchGroup() != group)) {
                    pending.refuse(request, MultiKeyScope.CROSSSLOT);
                    return;
                }
                tx.watched(group);
                session.connections().dedicated(map.groups().get(group)).send(request.frame(), pending);
            }
            case "unwatch" -> {
                if (tx.watching()) {
                    dedicated(session, map, tx.watchGroup()).send(request.frame(), pending);
                    tx.discard();
                } else {
                    request.release();
                    pending.onReply(Replies.ok());
                }
            }
            case "discard" -> {
                if (!tx.inMulti()) {
                    pending.refuse(request, "ERR DISCARD without MULTI");
                    return;
                }
                discard(session, map);
                request.release();
                pending.onReply(Replies.ok());
            }
            case "exec" -> {
                if (!tx.inMulti()) {
                    pending.refuse(request, "ERR EXEC without MULTI");
                    return;
                }
                int frozen = tx.aborted() || tx.crossed() ? -1 : tx.frozenSlot(map);
                if (frozen >= 0) {
                    session.holds().holdWhileFrozen(request, pending, frozen);
                    return; // EXEC is dispatched again, with the transaction still queued, when the map changes
                }
                request.release();
                if (tx.crossed()) { // checked first, as Redis Cluster checks the queue's keys before EXEC runs
                    discard(session, map);
                    pending.onFailure(MultiKeyScope.CROSSSLOT);
                    return;
                }
                if (tx.aborted()) {
                    discard(session, map);
                    pending.onFailure("EXECABORT Transaction discarded because of previous errors.");
                    return;
                }
                Transaction.Prepared prepared = tx.take();
                if (map.hasMigrations() && prepared.touchesMigration(map)) {
                    SlotMap after = map.afterMigrations();
                    MigrationGate.moveThen(session, map, prepared.requests(), prepared.keys(), pending,
                            () -> execOn(session, prepared, after, pending), prepared::release);
                } else {
                    execOn(session, prepared, map, pending);
                }
            }
            default -> pending.refuse(request, "ERR unexpected transaction command " + spec.name());
        }
    }

    /** Drops the transaction and its queue; keys still watched on the dedicated connection are unwatched. */
    void discard(ClientSession session, SlotMap map) {
        Transaction tx = session.transaction();
        int group = tx.watchGroup();
        if (tx.discard()) {
            dedicated(session, map, group).send(RespWriter.command(session.alloc(), "UNWATCH"), ReplySink.discarding());
        }
    }

    /** Sends the queued transaction to the group of its keys under {@code map}. */
    private void execOn(ClientSession session, Transaction.Prepared prepared, SlotMap map, PendingReply pending) {
        String fence = proxy.cluster().fence(); // went up while its keys moved
        if (fence != null) {
            prepared.release();
            pending.onFailure(Fence.error(fence));
            return;
        }
        int group = prepared.groupUnder(map, proxy.keyScope());
        if (group == MultiKeyScope.CROSS) {
            prepared.release();
            pending.onFailure(MultiKeyScope.CROSSSLOT);
            return;
        }
        UnaryOperator<ByteBuf> names = TransactionReplies.exec(prepared.replies());
        if (names != null) {
            pending.rewritten(names);
        }
        prepared.exec(session.connections().dedicated(map.groups().get(Math.max(group, 0))), session.alloc(), pending);
    }

    /**
     * The gate between MULTI and EXEC: every command but the transaction commands is checked and
     * queued (or refused) here instead of running. Keys spanning scopes within the command abort
     * the transaction at once; a scope other than the transaction's is queued and fails the EXEC
     * (Redis Cluster's two answers).
     */
    boolean queuesInMulti(ClientSession session, Resolved call) {
        Transaction tx = session.transaction();
        CommandSpec spec = call.spec();
        if (!tx.inMulti() || spec.kind() == CommandKind.TRANSACTION) {
            return false;
        }
        Request request = call.request();
        PendingReply pending = call.pending();
        boolean runsOnOneGroup = switch (spec.kind()) {
            case SINGLE, SAME_GROUP, MOVABLE_KEYS, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM, ANY_SHARD, BLOCKING -> true;
            case LOCAL -> spec.name().equals("ping") || spec.name().equals("echo");
            default -> false;
        };
        if (spec.hasFlag("no_multi")) {
            tx.abort(); // Redis's own refusal, before the proxy's
            pending.refuse(request, "ERR Command not allowed inside a transaction");
            return true;
        }
        if (!runsOnOneGroup) {
            tx.abort();
            // FLUSHALL and other fan-out commands cannot be part of one group's atomic EXEC: say so.
            String why = spec.kind() != CommandKind.FAN_OUT ? "" : ": a transaction runs on one group, "
                    + spec.displayName().toUpperCase(java.util.Locale.ROOT) + " runs on every group";
            pending.refuse(request, "ERR command '" + spec.displayName()
                    + "' cannot run inside MULTI through kvstore proxy" + why);
            return true;
        }
        KeyFinder.BadKeysException bad = call.badKeys();
        if (bad != null && bad.answerHere()) {
            tx.abort();
            pending.refuse(request, bad.getMessage());
            return true;
        }
        // Bad keys Redis refuses itself inside EXEC, in its own words: queued with no keys.
        int scope = proxy.keyScope().of(proxy.cluster().map().afterMigrations(), request, call.keys());
        if (scope == MultiKeyScope.CROSS) {
            tx.abort();
            pending.refuse(request, MultiKeyScope.CROSSSLOT);
            return true;
        }
        if (!tx.bind(scope)) {
            tx.cross();
        }
        tx.queue(request, call.keys(), pending.takeFilter()); // applied to its element of EXEC's reply
        pending.onReply(Replies.status(session.alloc(), "QUEUED"));
        return true;
    }

    /** The client's dedicated connection to the group a transaction is bound to. */
    private static BackendConnection dedicated(ClientSession session, SlotMap map, int group) {
        // A down group has no master: the connection fails fast with the backend's own error.
        return session.connections().dedicated(map.groups().get(Math.max(group, 0)));
    }
}
