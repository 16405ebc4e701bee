package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.Glob;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.command.MergeKind;
import io.kvstore.proxy.keyspace.KeyNames;
import io.kvstore.proxy.keyspace.KeysPage;
import io.kvstore.proxy.keyspace.PatternDelete;
import io.kvstore.proxy.keyspace.RandomKey;
import io.kvstore.proxy.resp.ReplySink;
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
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last step of a dispatch: runs a request that passed every gate where its command runs, on
 * one group, split over groups, on every group, on the client's dedicated connection, locally, or
 * nowhere (an error). The command table says how each command runs; this class carries that out.
 * Holds only shared immutable state, so one instance serves every event loop.
 *
 * <p>Every path ends in exactly one of: the request frame handed on (to a backend connection or a
 * splitter) with the pending reply as its final sink, or the frame released and the pending reply
 * completed here.
 */
final class Router {

    private final ProxyContext proxy;
    private final CommandDispatcher dispatcher;
    private final LocalCommands local;
    private final TransactionCommands transactions;

    /** {@code dispatcher} dispatches a blocking command again once it follows its keys. */
    Router(ProxyContext proxy, CommandDispatcher dispatcher, TransactionCommands transactions) {
        this.proxy = proxy;
        this.dispatcher = dispatcher;
        this.local = new LocalCommands(proxy, this);
        this.transactions = transactions;
    }

    /** Runs the command against {@code map}: the current map, or the map as it will be once migrations are done. */
    void route(ClientSession session, Resolved call, SlotMap map) {
        Request request = call.request();
        PendingReply pending = call.pending();
        CommandSpec spec = call.spec();
        try {
            switch (spec.kind()) {
                case SINGLE -> send(session, map, map.groupIndex(call.slot()), request.frame(), pending, acked(spec));
                case SAME_GROUP, MOVABLE_KEYS -> forwardToKeysGroup(session, call, map);
                case SPLIT_MGET, SPLIT_MSET, SPLIT_SUM -> split(session, request, pending, map, spec);
                case FAN_OUT -> fanOut(session, request, pending, map, spec);
                case ANY_SHARD -> forward(session, request, pending, map, 0);
                case LOCAL, CONTAINER -> local.execute(session, request, pending, spec);
                case TRANSACTION -> transactions.execute(session, call, map);
                case BLOCKING -> blocking(session, call, map);
                case PUBSUB -> pubSub(session, request, pending, map, spec);
                case KEYSPACE -> {
                    byte[] pattern = request.argBytes(1);
                    request.release();
                    PatternDelete.start(pattern, KeyNames.of(proxy.cluster().rewrite()), map.groups().size(),
                            sender(session, map), session.alloc(), pending);
                }
                case REFUSED -> pending.refuse(request, "ERR command '" + spec.displayName()
                        + "' is not supported by kvstore proxy: " + spec.reason());
                default -> pending.refuse(request, "ERR command '" + spec.displayName()
                        + "' is not supported by kvstore proxy yet");
            }
        } catch (KeyFinder.BadKeysException e) {
            if (e.answerHere()) {
                pending.refuse(request, e.getMessage());
            } else {
                // The arguments do not say where the keys are; Redis refuses such a command without
                // running it, with its own words, so let one group answer.
                forward(session, request, pending, map, 0);
            }
        }
    }

    private void forwardToKeysGroup(ClientSession session, Resolved call, SlotMap map) {
        Request request = call.request();
        PendingReply pending = call.pending();
        int group = proxy.keyScope().groupOf(map, request, call.routingKeys());
        if (group == MultiKeyScope.CROSS) {
            pending.refuse(request, MultiKeyScope.CROSSSLOT);
        } else {
            send(session, map, group == MultiKeyScope.NO_KEYS ? 0 : group, request.frame(), pending, acked(call.spec()));
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
    private Map<String, String> proxySettings(Request request) {
        Map<String, String> matched = new TreeMap<>();
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
                    pending.refuse(request, "ERR LIMIT must be a positive integer");
                    return;
                }
            } else if (request.argIs(i, "DESC")) {
                desc = true;
            } else if (request.argIs(i, "WITHVALUES")) {
                withValues = true;
            } else {
                pending.refuse(request, "ERR syntax error");
                return;
            }
        }
        KeysPage.Options options = new KeysPage.Options(request.argBytes(1), pivot, limit, desc, withValues,
                KeyNames.of(proxy.cluster().rewrite()));
        request.release();
        KeysPage.start(options, map, sender(session, map), session.alloc(), pending);
    }

    /** SCAN: the client's cursor names the group and that group's cursor; see {@link ScanMerger}. */
    private void scan(ClientSession session, Request request, PendingReply pending, SlotMap map) {
        long cursor;
        try {
            cursor = Long.parseUnsignedLong(request.argString(1));
        } catch (NumberFormatException e) {
            pending.refuse(request, "ERR invalid cursor");
            return;
        }
        int groups = map.groups().size();
        int group = ScanMerger.groupOf(cursor);
        if (group >= groups || groups > ScanMerger.MAX_GROUPS) {
            pending.refuse(request, "ERR invalid cursor");
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

    private void blocking(ClientSession session, Resolved call, SlotMap map) {
        Request request = call.request();
        PendingReply pending = call.pending();
        int[] keys = call.routingKeys();
        int group = proxy.keyScope().groupOf(map, request, keys);
        if (group == MultiKeyScope.CROSS) {
            pending.refuse(request, MultiKeyScope.CROSSSLOT);
            return;
        }
        int index = group == MultiKeyScope.NO_KEYS ? 0 : group;
        if (map.isGroupDown(index)) {
            pending.refuse(request, clusterDown(map, index));
            return;
        }
        Group target = map.groups().get(index);
        BlockedCall blocked = new BlockedCall(session, dispatcher, request, keys, target, pending);
        session.blocked().add(blocked);
        blocked.send(session.connections().dedicated(target), request.frame());
    }

    /** Hands the request to the master of {@code group}, on this event loop's connection for this client. */
    void forward(ClientSession session, Request request, PendingReply pending, SlotMap map, int group) {
        send(session, map, group, request.frame(), pending, false);
    }

    /**
     * Sends a frame to the master of {@code group} on this client's shared connection: refused with
     * -CLUSTERDOWN when the group is down, followed by WAIT when {@code acked}.
     */
    private void send(ClientSession session, SlotMap map, int group, ByteBuf frame, ReplySink sink,
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
}
