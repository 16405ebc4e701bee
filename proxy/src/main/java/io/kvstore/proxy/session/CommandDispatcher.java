package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.keyspace.KeysPage;
import io.kvstore.proxy.keyspace.PatternDelete;
import io.kvstore.proxy.keyspace.RandomKey;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.kvstore.proxy.split.ConfigGetMerger;
import io.kvstore.proxy.split.FrameBuilder;
import io.kvstore.proxy.split.Gather;
import io.kvstore.proxy.split.GroupSender;
import io.kvstore.proxy.split.InfoMerger;
import io.kvstore.proxy.split.Merger;
import io.kvstore.proxy.split.Merges;
import io.kvstore.proxy.split.ScanMerger;
import io.kvstore.proxy.split.Splitter;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Decides, per request, where it runs: on one group, split over groups, on every group, on the
 * client's dedicated connection, locally, or nowhere (an error). The command table says how each
 * command runs; this class carries that out. Holds only shared immutable state, so one instance
 * serves every event loop.
 *
 * <p>Every path ends in exactly one of: the request frame handed on (to a backend connection, a
 * splitter or the transaction queue) with the pending reply as its final sink, or the frame
 * released and the pending reply completed here.
 */
public final class CommandDispatcher {

    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    private final ProxyContext proxy;
    private final LocalCommands local;
    private final TransactionCommands transactions;

    public CommandDispatcher(ProxyContext proxy) {
        this.proxy = proxy;
        this.local = new LocalCommands(proxy, this);
        this.transactions = new TransactionCommands(proxy);
    }

    void dispatch(ClientSession session, Request received, PendingReply pending) {
        CommandSpec spec = resolve(session, received, pending);
        if (spec == null) {
            return;
        }
        session.lastCommand(spec.name());
        Request request = RewriteStep.apply(session, received, pending, spec, proxy.cluster().rewrite());
        if (request == null) {
            return;
        }
        if (session.trackingOn()) {
            session.tracking().beforeDispatch(spec, request);
        }
        if (session.subscribed() && session.protocol() == 2 && !allowedWhileSubscribed(spec)) { // RESP3 allows any command
            reject(request, pending, "ERR Can't execute '" + spec.name() + "': only (P|S)SUBSCRIBE / "
                    + "(P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context");
            return;
        }
        String fence = proxy.cluster().fence();
        if (fence != null && fenced(session, spec)) {
            refuseFenced(session, request, pending, spec, fence);
            return;
        }
        if (session.transaction().inMulti() && spec.kind() != CommandKind.TRANSACTION) {
            transactions.queueInMulti(session, request, pending, spec);
            return;
        }
        if (usesBackend(session, spec) && (session.holds().holdBehindGate(request, pending)
                || session.holds().holdForSwitch(session.lane(onDedicated(session, spec)), request, pending))) {
            return; // dispatched again once the earlier requests are answered
        }
        SlotMap map = proxy.cluster().map();
        if (map.hasMigrations() && touchesKeys(spec)) {
            int[] keys = keysOrNone(spec, request);
            int frozen = MigrationGate.frozenSlot(map, request, keys);
            if (frozen >= 0) {
                session.holds().holdWhileFrozen(request, pending, frozen);
                return;
            }
            if (MigrationGate.touchesMigration(map, request, keys)) {
                CommandSpec resolved = spec;
                session.holds().gated(pending);
                MigrationGate.moveThen(session, map, List.of(request), List.of(keys), pending, () -> {
                    String late = proxy.cluster().fence(); // went up while the key moved
                    if (late != null) {
                        reject(request, pending, Fence.error(late));
                    } else {
                        route(session, request, pending, resolved, map.afterMigrations());
                    }
                }, request::release);
                return;
            }
        }
        route(session, request, pending, spec, map);
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
    private void refuseFenced(ClientSession session, Request request, PendingReply pending, CommandSpec spec, String fence) {
        if (spec.name().equals("exec")) {
            transactions.discard(session, proxy.cluster().map());
        } else if (session.transaction().inMulti()) {
            session.transaction().abort();
        }
        reject(request, pending, Fence.error(fence));
    }

    /** Kinds whose keys are read or written on a backend, and so must be moved first while their slot migrates. */
    private static boolean touchesKeys(CommandSpec spec) {
        return switch (spec.kind()) {
            case SINGLE, SAME_GROUP, MOVABLE_KEYS, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM, BLOCKING -> true;
            case TRANSACTION -> spec.name().equals("watch");
            default -> false;
        };
    }

    static int[] keysOrNone(CommandSpec spec, Request request) {
        try {
            return KeyFinder.keys(spec, request);
        } catch (KeyFinder.BadKeysException e) {
            return new int[0]; // routing answers it
        }
    }

    /** Runs the command against {@code map}: the current map, or the map as it will be once migrations are done. */
    private void route(ClientSession session, Request request, PendingReply pending, CommandSpec spec, SlotMap map) {
        try {
            switch (spec.kind()) {
                case SINGLE -> send(session, map, groupOfArg(map, request, spec.firstKey()), request.frame(), pending, acked(spec));
                case SAME_GROUP, MOVABLE_KEYS -> forwardToKeysGroup(session, request, pending, map, spec);
                case SPLIT_MGET, SPLIT_MSET, SPLIT_SUM -> split(session, request, pending, map, spec);
                case FAN_OUT -> fanOut(session, request, pending, map, spec);
                case ANY_SHARD -> forward(session, request, pending, map, 0);
                case LOCAL, CONTAINER -> local.execute(session, request, pending, spec);
                case TRANSACTION -> transactions.execute(session, request, pending, map, spec);
                case BLOCKING -> blocking(session, request, pending, map, spec);
                case PUBSUB -> pubSub(session, request, pending, map, spec);
                case KEYSPACE -> {
                    byte[] pattern = request.argBytes(1);
                    request.release();
                    PatternDelete.start(pattern, map.groups().size(), sender(session, map), session.alloc(), pending);
                }
                case REFUSED -> reject(request, pending, "ERR command '" + spec.displayName()
                        + "' is not supported by kvstore proxy: " + spec.reason());
                default -> reject(request, pending, "ERR command '" + spec.displayName()
                        + "' is not supported by kvstore proxy yet");
            }
        } catch (KeyFinder.BadKeysException e) {
            if (e.answerHere()) {
                reject(request, pending, e.getMessage());
            } else {
                // The arguments do not say where the keys are; Redis refuses such a command without
                // running it, with its own words, so let one group answer.
                forward(session, request, pending, map, 0);
            }
        }
    }

    /** Whether the request goes to a backend connection (rather than being answered or queued here). */
    private static boolean usesBackend(ClientSession session, CommandSpec spec) {
        return switch (spec.kind()) {
            case LOCAL, CONTAINER, REFUSED -> spec.name().startsWith("command");
            case PUBSUB -> spec.name().equals("publish") || spec.name().equals("spublish");
            case TRANSACTION -> onDedicated(session, spec);
            default -> true;
        };
    }

    /** Whether the request goes on the client's dedicated connection rather than a shared one. */
    private static boolean onDedicated(ClientSession session, CommandSpec spec) {
        return switch (spec.kind()) {
            case BLOCKING -> true;
            case TRANSACTION -> switch (spec.name()) {
                case "watch", "exec" -> true;
                case "unwatch", "discard" -> session.transaction().watching();
                default -> false;
            };
            default -> false;
        };
    }

    /** The command's spec after name, subcommand, arity and AUTH checks; null when the request was answered with an error. */
    private CommandSpec resolve(ClientSession session, Request request, PendingReply pending) {
        CommandTable table = proxy.commands();
        ByteBuf frame = request.frame();
        CommandSpec spec = table.lookup(frame, request.argOffset(0), request.argLength(0));
        String error = null;
        if (spec == null) {
            error = unknownCommand(request);
        } else if (spec.kind() == CommandKind.CONTAINER && request.argCount() > 1) {
            CommandSpec sub = table.subcommand(spec, frame, request.argOffset(1), request.argLength(1));
            if (sub == null) {
                error = "ERR unknown subcommand '" + clip(request.argString(1)) + "'. Try "
                        + spec.name().toUpperCase(Locale.ROOT) + " HELP.";
            }
            spec = sub;
        }
        if (spec != null) {
            pending.timed(session.worker().stats(), spec, request);
        }
        if (error == null && !spec.arityAccepts(request.argCount())
                || error == null && spec.keyStep() > 1 && spec.lastKey() < 0 && (request.argCount() - spec.firstKey()) % spec.keyStep() != 0) {
            error = "ERR wrong number of arguments for '" + spec.name() + "' command";
        }
        if (error == null && !session.authenticated() && !LocalCommands.allowedBeforeAuth(spec)) {
            error = "NOAUTH Authentication required.";
        }
        if (error != null) {
            if (session.transaction().inMulti()) {
                session.transaction().abort();
            }
            reject(request, pending, error);
            return null;
        }
        return spec;
    }

    private void forwardToKeysGroup(ClientSession session, Request request, PendingReply pending, SlotMap map, CommandSpec spec) {
        int group = proxy.keyScope().groupOf(map, request, KeyFinder.keys(spec, request));
        if (group == MultiKeyScope.CROSS) {
            reject(request, pending, CROSSSLOT);
        } else {
            send(session, map, group == MultiKeyScope.NO_KEYS ? 0 : group, request.frame(), pending, acked(spec));
        }
    }

    private void split(ClientSession session, Request request, PendingReply pending, SlotMap map, CommandSpec spec) {
        Splitter.split(request, spec, map, pending, session.alloc(), sender(session, map, acked(spec)));
    }

    private void fanOut(ClientSession session, Request request, PendingReply pending, SlotMap map, CommandSpec spec) {
        if (spec.merge() == MergeKind.SCAN) {
            scan(session, request, pending, map);
            return;
        }
        if (spec.name().equals("randomkey")) {
            RandomKey.start(request, map.groups().size(), sender(session, map), session.alloc(), pending);
            return;
        }
        if (spec.name().equals("keys") && request.argCount() > 2) {
            keysPage(session, request, pending, map);
            return;
        }
        // INFO and CONFIG GET read their arguments now: the request goes out
        Merger merger = switch (spec.merge()) {
            case INFO -> {
                String section = request.argCount() == 1 ? "default" : request.argString(1);
                yield Merges.errorsFirst(new InfoMerger(() -> proxy.infoFacts(section)));
            }
            case CONFIG -> Merges.errorsFirst(new ConfigGetMerger(proxySettings(request)));
            default -> Merges.of(spec.merge());
        };
        GroupSender to = spec.merge() == MergeKind.KILL ? OwnConnection.sender(session, map) : sender(session, map);
        Splitter.fanOut(request, map, pending, session.alloc(), to, merger);
    }

    /** The proxy's settings matching the patterns of a CONFIG GET. */
    private java.util.Map<String, String> proxySettings(Request request) {
        java.util.Map<String, String> matched = new java.util.TreeMap<>();
        for (int i = 2; i < request.argCount(); i++) {
            String pattern = request.argString(i).toLowerCase(Locale.ROOT);
            proxy.settings().forEach((k, v) -> {
                if (Glob.matches(pattern, k)) {
                    matched.put(k, v);
                }
            });
        }
        return matched;
    }

    /** KEYS pattern [PIVOT key] [LIMIT count] [DESC] [WITHVALUES]: kvstore's ordered key paging. */
    private void keysPage(ClientSession session, Request request, PendingReply pending, SlotMap map) {
        byte[] pivot = null;
        long limit = Long.MAX_VALUE;
        boolean desc = false;
        boolean withValues = false;
        for (int i = 2; i < request.argCount(); i++) {
            if (request.argIs(i, "PIVOT") && i + 1 < request.argCount()) {
                pivot = request.argBytes(++i);
            } else if (request.argIs(i, "LIMIT") && i + 1 < request.argCount()) {
                limit = request.argLong(++i);
                if (limit <= 0) {
                    reject(request, pending, "ERR LIMIT must be a positive integer");
                    return;
                }
            } else if (request.argIs(i, "DESC")) {
                desc = true;
            } else if (request.argIs(i, "WITHVALUES")) {
                withValues = true;
            } else {
                reject(request, pending, "ERR syntax error");
                return;
            }
        }
        KeysPage.Options options = new KeysPage.Options(request.argBytes(1), pivot, limit, desc, withValues);
        request.release();
        KeysPage.start(options, map, sender(session, map), session.alloc(), pending);
    }

    /** SCAN: the client's cursor names the group and that group's cursor; see {@link ScanMerger}. */
    private void scan(ClientSession session, Request request, PendingReply pending, SlotMap map) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(request.argString(1));
        } catch (NumberFormatException e) {
            reject(request, pending, "ERR invalid cursor");
            return;
        }
        int groups = map.groups().size();
        int group = ScanMerger.groupOf(cursor);
        if (group >= groups || groups > ScanMerger.MAX_GROUPS) {
            reject(request, pending, "ERR invalid cursor");
            return;
        }
        byte[] backendCursor = Long.toUnsignedString(ScanMerger.backendCursor(cursor)).getBytes(StandardCharsets.US_ASCII);
        ByteBuf frame = FrameBuilder.replacing(session.alloc(), request, 1, backendCursor);
        request.release();
        Gather gather = new Gather(pending, new ScanMerger(group, groups), session.alloc(), 1);
        sender(session, map).send(group, frame, gather.fragment(0));
    }

    private void pubSub(ClientSession session, Request request, PendingReply pending, SlotMap map, CommandSpec spec) {
        switch (spec.name()) {
            case "publish", "spublish" -> {
                int slot = KeySlot.of(request.frame(), request.argOffset(1), request.argLength(1));
                int target = map.migrationTarget(slot);
                if (target < 0) {
                    forward(session, request, pending, map, map.groupIndex(slot));
                } else {
                    // Subscribers of a migrating channel are on the old owner or, once their proxy has
                    // moved them, on the new one: publish on both, each subscriber is on exactly one.
                    Gather gather = new Gather(pending, Merges.of(MergeKind.SUM), session.alloc(), 2);
                    GroupSender send = sender(session, map);
                    send.send(map.groupIndex(slot), request.frame().retainedDuplicate(), gather.fragment(0));
                    send.send(target, request.frame(), gather.fragment(1));
                }
            }
            default -> session.pubSub().execute(spec.name(), request, pending, map);
        }
    }

    private static boolean allowedWhileSubscribed(CommandSpec spec) {
        return switch (spec.name()) {
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe",
                 "ping", "quit", "reset" -> true;
            default -> false;
        };
    }

    private void blocking(ClientSession session, Request request, PendingReply pending, SlotMap map, CommandSpec spec) {
        int[] keys = KeyFinder.keys(spec, request);
        int group = proxy.keyScope().groupOf(map, request, keys);
        if (group == MultiKeyScope.CROSS) {
            reject(request, pending, CROSSSLOT);
            return;
        }
        int index = group == MultiKeyScope.NO_KEYS ? 0 : group;
        if (map.isGroupDown(index)) {
            reject(request, pending, clusterDown(map, index));
            return;
        }
        Group target = map.groups().get(index);
        BlockedCall call = new BlockedCall(session, this, request, keys, target, pending);
        session.blocked(call);
        call.send(session.connections().dedicated(target), request.frame());
    }

    private static int groupOfArg(SlotMap map, Request request, int arg) {
        return map.groupIndex(KeySlot.of(request.frame(), request.argOffset(arg), request.argLength(arg)));
    }

    /** Hands the request to the master of {@code group}, on this event loop's connection for this client. */
    void forward(ClientSession session, Request request, PendingReply pending, SlotMap map, int group) {
        send(session, map, group, request.frame(), pending, false);
    }

    /**
     * Sends a frame to the master of {@code group} on this client's shared connection: refused with
     * -CLUSTERDOWN when the group is down, followed by WAIT when {@code acked}.
     */
    private void send(ClientSession session, SlotMap map, int group, ByteBuf frame, io.kvstore.proxy.backend.ReplySink sink,
                      boolean acked) {
        if (map.isGroupDown(group)) {
            frame.release();
            sink.onFailure(clusterDown(map, group));
            return;
        }
        BackendConnection conn = session.connections().shared(map, group);
        if (acked) {
            AckedWrite.send(conn, frame, sink, proxy.writeAcks(), proxy.writeAcksTimeoutMillis(), session.alloc());
        } else {
            conn.send(frame, sink);
        }
    }

    /** The error for a key of a group that is down. */
    static String clusterDown(SlotMap map, int group) {
        return "CLUSTERDOWN group " + map.groups().get(group).id() + ", which owns this slot, has no master";
    }

    /** Whether a command's writes wait for replicas ({@code --write-acks}). */
    private boolean acked(CommandSpec spec) {
        return spec.write() && proxy.writeAcks() > 0;
    }

    private GroupSender sender(ClientSession session, SlotMap map) {
        return sender(session, map, false);
    }

    private GroupSender sender(ClientSession session, SlotMap map, boolean acked) {
        return (group, frame, sink) -> send(session, map, group, frame, sink, acked);
    }

    static void reject(Request request, PendingReply pending, String error) {
        pending.rejected();
        request.release();
        pending.onFailure(error);
    }

    /** Redis's own text for an unknown command, so clients and people recognise it. */
    static String unknownCommand(Request request) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < request.argCount() && args.length() < 128; i++) {
            String a = request.argString(i);
            int room = 128 - args.length(); // measured before the quote, as Redis's "'%.*s' " does
            args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
        }
        return "ERR unknown command '" + clip(request.argString(0)) + "', with args beginning with: " + args;
    }

    private static String clip(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }

}
