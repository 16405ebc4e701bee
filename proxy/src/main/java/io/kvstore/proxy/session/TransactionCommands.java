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
 * (see {@link Transaction} for the model). A key on a group marked down is answered -CLUSTERDOWN
 * without asking a backend, as on every other path: WATCH is refused, a queued command is refused
 * and aborts the transaction (EXEC: -EXECABORT), and EXEC whose group went down since answers
 * -CLUSTERDOWN with nothing sent. Holds only shared immutable state; one instance serves every
 * event loop, each call running on the client's loop.
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
                if (group >= 0 && map.isGroupDown(group)) { // as Redis Cluster, before any backend is asked
                    pending.refuse(request, Router.clusterDown(map, group));
                    return;
                }
                // Keys watched twice must sit where one transaction can run: same scope, same connection.
                if (scope == MultiKeyScope.CROSS || !tx.bind(scope) || (tx.watching() && tx.watchGroup() != group)) {
                    pending.refuse(request, MultiKeyScope.CROSSSLOT);
                    return;
                }
                tx.watched(group);
                session.connections().dedicated(map.groups().get(group)).send(request.frame(), pending);
            }
            case "unwatch" -> {
                if (tx.watching() && !map.isGroupDown(tx.watchGroup())) {
                    dedicated(session, map, tx.watchGroup()).send(request.frame(), pending);
                    tx.discard();
                } else {
                    if (tx.watching()) { // on a group now down: answered here, UNWATCH sent only on an open connection
                        discard(session, map);
                    }
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
            unwatch(session, map, group);
        }
    }

    /**
     * Clears the keys watched on the client's own connection to {@code group}, if that connection is
     * open: never opens one (the group may be down), and nobody waits for the answer.
     */
    private static void unwatch(ClientSession session, SlotMap map, int group) {
        BackendConnection open = session.connections().dedicatedIfOpen(map.groups().get(Math.max(group, 0)));
        if (open != null) {
            open.send(RespWriter.command(session.alloc(), "UNWATCH"), ReplySink.discarding());
        }
    }

    /** Sends the queued transaction to the group of its keys under {@code map}. */
    private void execOn(ClientSession session, Transaction.Prepared prepared, SlotMap map, PendingReply pending) {
        String fence = proxy.cluster().fence(); // went up while its keys moved
        if (fence != null) {
            refuseExec(session, prepared, map, pending, Fence.error(fence));
            return;
        }
        int group = prepared.groupUnder(map, proxy.keyScope());
        if (group == MultiKeyScope.CROSS) {
            refuseExec(session, prepared, map, pending, MultiKeyScope.CROSSSLOT);
            return;
        }
        int target = group >= 0 ? group : firstUp(map); // no key at all: any group that is up runs it
        if (map.isGroupDown(target)) { // went down after WATCH or a command was queued: its master is not asked
            refuseExec(session, prepared, map, pending, Router.clusterDown(map, target));
            return;
        }
        UnaryOperator<ByteBuf> names = TransactionReplies.exec(prepared.replies());
        if (names != null) {
            pending.rewritten(names);
        }
        prepared.exec(session.connections().dedicated(map.groups().get(target)), session.alloc(), pending);
    }

    /** EXEC answers {@code error} and nothing is sent: the queue is dropped, watched keys unwatched (as Redis's EXEC does). */
    private static void refuseExec(ClientSession session, Transaction.Prepared prepared, SlotMap map,
                                   PendingReply pending, String error) {
        prepared.release();
        if (prepared.watchGroup() >= 0) {
            unwatch(session, map, prepared.watchGroup());
        }
        pending.onFailure(error);
    }

    /** The first group that is not down, or group 0 when all are. */
    private static int firstUp(SlotMap map) {
        for (int g = 0; g < map.groups().size(); g++) {
            if (!map.isGroupDown(g)) {
                return g;
            }
        }
        return 0;
    }

    /**
     * The gate between MULTI and EXEC: every command but the transaction commands is checked and
     * queued (or refused) here instead of running. Keys spanning scopes within the command abort
     * the transaction at once, as do keys on a group that is down; a scope other than the
     * transaction's is queued and fails the EXEC (Redis Cluster's answers). UNWATCH is queued
     * too, as Redis does.
     */
    boolean queuesInMulti(ClientSession session, Resolved call) {
        Transaction tx = session.transaction();
        CommandSpec spec = call.spec();
        // UNWATCH is the one transaction command Redis queues: it runs inside EXEC, after EXEC has checked the watched keys
        if (!tx.inMulti() || (spec.kind() == CommandKind.TRANSACTION && !spec.name().equals("unwatch"))) {
            return false;
        }
        Request request = call.request();
        PendingReply pending = call.pending();
        boolean runsOnOneGroup = switch (spec.kind()) {
            case SINGLE, SAME_GROUP, MOVABLE_KEYS, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM, ANY_SHARD, BLOCKING -> true;
            case LOCAL -> spec.name().equals("ping") || spec.name().equals("echo");
            case TRANSACTION -> true; // UNWATCH, keyless: queued with the rest
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
        SlotMap runsBy = proxy.cluster().map().afterMigrations();
        int scope = proxy.keyScope().of(runsBy, request, call.keys());
        if (scope == MultiKeyScope.CROSS) {
            tx.abort();
            pending.refuse(request, MultiKeyScope.CROSSSLOT);
            return true;
        }
        int group = proxy.keyScope().group(runsBy, scope);
        if (group >= 0 && runsBy.isGroupDown(group)) { // Redis Cluster's queue-time error: EXEC answers -EXECABORT
            tx.abort();
            pending.refuse(request, Router.clusterDown(runsBy, group));
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
        // Callers check first that the group is not down (-CLUSTERDOWN, without asking its master).
        return session.connections().dedicated(map.groups().get(Math.max(group, 0)));
    }
}
