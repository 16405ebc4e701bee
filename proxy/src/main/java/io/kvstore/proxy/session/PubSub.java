package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.rewrite.KeyspaceChannels;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Pub/Sub for one client. Confined to the client's event loop.
 *
 * <p>A channel lives on the group that owns its slot (its name hashed like a key), so PUBLISH
 * through any proxy reaches each subscriber exactly once: subscriptions to a channel and
 * publications on it meet on one redis-server. Patterns can match channels of any group, so a
 * pattern is subscribed on every group; a message still arrives once because it is published on
 * one group only. Keyspace notifications follow the key: {@code __keyspace@0__:k} lives on the
 * group of {@code k}, and {@code __keyevent@0__:*} events happen on every group.
 *
 * <p>The client gets one confirmation per channel, with its own subscription count, once every
 * group involved has confirmed; messages are queued behind confirmations, so the client never
 * sees a message before the confirmation of its subscription. Each subscribed group has one
 * connection of this client's ({@code links}); losing one closes the client, as a Redis restart
 * would, so the client resubscribes.
 *
 * <p>Under key rewrite rules ({@link KeyspaceChannels}) a SUBSCRIBE to the keyspace channel of a
 * rewritten key is made on the channel of its stored name ({@code wired}: the name each such
 * subscription is made on, moved when a bump changes it), confirmations are counted by the
 * client's name, and keyspace notifications are shown by logical names, or not at all for keys
 * clients cannot see.
 */
final class PubSub {

    /** One confirmation owed to the client: {@code remaining} groups have yet to confirm. */
    private static final class Item {
        final String kind;
        final byte[] name;
        int remaining;

        Item(String kind, byte[] name, int remaining) {
            this.kind = kind;
            this.name = name;
            this.remaining = remaining;
        }
    }

    /**
     * The confirmations of one client command, answered together in argument order. A batch
     * without items is an UNSUBSCRIBE (or PUNSUBSCRIBE, SUNSUBSCRIBE) without arguments that found
     * nothing subscribed: it answers {@code [kind, nil, count]}.
     */
    private static final class Batch {
        final PendingReply pending;
        final String kind;
        final List<Item> items = new ArrayList<>();
        int open;

        Batch(PendingReply pending, String kind) {
            this.pending = pending;
            this.kind = kind;
        }
    }

    private final ClientSession session;
    private final Supplier<RewriteRules> rules;
    /** The server channel of each "subscribe:channel" whose name key rewrite changed; absent: the client's name. */
    private final Map<String, byte[]> wired = new HashMap<>();
    private final Set<String> channels = new LinkedHashSet<>();
    private final Set<String> patterns = new LinkedHashSet<>();
    private final Set<String> shardChannels = new LinkedHashSet<>();
    private final Map<HostPort, BackendConnection> links = new HashMap<>();
    private final Map<String, ArrayDeque<Item>> awaiting = new HashMap<>();
    private final Map<Item, Batch> batchOf = new HashMap<>();
    /** Every batch not answered yet, in the order of the client's commands: they are applied and answered in that order. */
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();
    /**
     * Where each subscription ("subscribe:name", "psubscribe:pattern", ...) is made, to move it
     * when the map changes. Changed when the client's command is dispatched, not when the groups
     * confirm it, so it is the state the client has asked for so far: what an UNSUBSCRIBE without
     * arguments covers, and whether the client is in subscribed state. In subscription order.
     */
    private final Map<String, Set<HostPort>> placed = new java.util.LinkedHashMap<>();

    /** {@code rules}: the cluster's key rewrite rules now (null for none). */
    PubSub(ClientSession session, Supplier<RewriteRules> rules) {
        this.session = session;
        this.rules = rules;
    }

    /**
     * Whether the client is in subscribed state, where only Pub/Sub commands, PING, QUIT and RESET
     * are allowed: as its commands so far leave it, as on a Redis that has run them, whether or not
     * the groups have confirmed them yet.
     */
    boolean active() {
        return !placed.isEmpty();
    }

    int channelCount() {
        return channels.size();
    }

    int shardChannelCount() {
        return shardChannels.size();
    }

    int patternCount() {
        return patterns.size();
    }

    private int count() {
        return channels.size() + patterns.size() + shardChannels.size();
    }

    /** SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE and their UN- forms. Takes the request. */
    void execute(String command, Request request, PendingReply pending, SlotMap map) {
        List<byte[]> names = new ArrayList<>();
        for (int i = 1; i < request.argCount(); i++) {
            names.add(request.argBytes(i));
        }
        request.release();
        boolean unsubscribe = command.contains("unsubscribe");
        String placeKind = unsubscribe ? command.replace("unsubscribe", "subscribe") : command;
        if (unsubscribe && names.isEmpty()) {
            // Everything asked for so far, confirmed or not: a SUBSCRIBE in the same write counts.
            String prefix = placeKind + ':';
            placed.keySet().stream().filter(k -> k.startsWith(prefix))
                    .forEach(k -> names.add(k.substring(prefix.length()).getBytes(StandardCharsets.ISO_8859_1)));
        }
        Batch batch = new Batch(pending, command);
        batches.add(batch);
        Map<BackendConnection, List<byte[]>> perLink = new java.util.LinkedHashMap<>();
        for (byte[] name : names) {
            List<BackendConnection> targets = new ArrayList<>();
            Set<HostPort> where = unsubscribe ? placed.remove(key(placeKind, name)) : null;
            if (where != null) {
                where.forEach(a -> {
                    BackendConnection c = links.get(a);
                    if (c != null) {
                        targets.add(c);
                    }
                });
            }
            if (targets.isEmpty()) {
                Set<HostPort> at = new java.util.LinkedHashSet<>();
                for (int g : groupsOf(command, name, map)) {
                    targets.add(link(map.groups().get(g)));
                    at.add(map.groups().get(g).master());
                }
                if (!unsubscribe) {
                    placed.computeIfAbsent(key(placeKind, name), k -> new java.util.LinkedHashSet<>()).addAll(at);
                }
            }
            Item item = new Item(command, name, targets.size());
            batch.items.add(item);
            batch.open++;
            batchOf.put(item, batch);
            awaiting.computeIfAbsent(key(command, name), k -> new ArrayDeque<>()).add(item);
            byte[] onServer = unsubscribe ? unwire(placeKind, name) : wire(placeKind, name);
            for (BackendConnection c : targets) {
                perLink.computeIfAbsent(c, k -> new ArrayList<>()).add(onServer);
            }
        }
        perLink.forEach((c, list) -> c.send(command(session.alloc(), command, list), null));
        answerReady(); // a batch without items is ready once those before it are
    }

    /**
     * A new slot map is in place: subscriptions whose channel now lives on another group (a slot
     * moved, a group came or went) are made on the new group first, then dropped from the old
     * one. A message published in between may arrive twice or, from a publisher whose proxy
     * switched earlier, not at all (doc/resharding.md).
     */
    void mapChanged(SlotMap map) {
        for (Map.Entry<String, Set<HostPort>> e : placed.entrySet()) {
            String kind = e.getKey().substring(0, e.getKey().indexOf(':'));
            byte[] name = e.getKey().substring(kind.length() + 1).getBytes(StandardCharsets.ISO_8859_1);
            byte[] before = wired.getOrDefault(e.getKey(), name);
            byte[] now = wire(kind, name); // a bump comes with a new map: the stored name may have changed
            boolean renamed = !java.util.Arrays.equals(before, now);
            Set<HostPort> want = new java.util.LinkedHashSet<>();
            for (int g : groupsOf(kind, name, map)) {
                Group group = map.groups().get(g);
                want.add(group.master());
                if (renamed || !e.getValue().contains(group.master())) {
                    link(group).send(command(session.alloc(), kind, List.of(now)), null);
                }
            }
            for (HostPort old : e.getValue()) {
                BackendConnection c = links.get(old);
                if ((renamed || !want.contains(old)) && c != null) {
                    c.send(command(session.alloc(), unsubscribeOf(kind), List.of(before)), null);
                }
            }
            e.setValue(want);
        }
    }

    /** The channel a subscription of {@code kind} to {@code name} is made on now; remembered when key rewrite renamed it. */
    private byte[] wire(String kind, byte[] name) {
        byte[] onServer = kind.equals("subscribe") ? KeyspaceChannels.stored(rules.get(), name) : name;
        if (onServer != name) {
            wired.put(key(kind, name), onServer);
        } else {
            wired.remove(key(kind, name));
        }
        return onServer;
    }

    /** The channel a subscription was made on, forgotten (its UNSUBSCRIBE). */
    private byte[] unwire(String kind, byte[] name) {
        byte[] onServer = wired.remove(key(kind, name));
        return onServer == null ? name : onServer;
    }

    private static String unsubscribeOf(String subscribeKind) {
        return switch (subscribeKind) {
            case "psubscribe" -> "punsubscribe";
            case "ssubscribe" -> "sunsubscribe";
            default -> "unsubscribe";
        };
    }

    private Set<String> setFor(String command) {
        // only SSUBSCRIBE / SUNSUBSCRIBE are shard channels: "subscribe" starts with an s too
        return command.startsWith("p") ? patterns
                : command.startsWith("ss") || command.startsWith("sun") ? shardChannels : channels;
    }

    /** The groups a subscription is made on. */
    private static int[] groupsOf(String command, byte[] name, SlotMap map) {
        int all = map.groups().size();
        String text = new String(name, StandardCharsets.ISO_8859_1);
        if (command.startsWith("p") || text.startsWith("__keyevent@")) {
            int[] every = new int[all];
            for (int i = 0; i < all; i++) {
                every[i] = i;
            }
            return every;
        }
        if (text.startsWith("__keyspace@") && text.indexOf(':') > 0) {
            int colon = text.indexOf(':');
            return new int[] {map.groupIndex(SlotHash.slot(name, colon + 1, name.length - colon - 1))};
        }
        return new int[] {map.groupIndex(SlotHash.slot(name))};
    }

    private BackendConnection link(Group group) {
        return links.computeIfAbsent(group.master(), a -> {
            BackendConnection conn = session.worker().dedicated(group, session.protocol());
            conn.pushTo(new Pushes());
            return conn;
        });
    }

    /** Everything a subscribed connection sends: confirmations to count, messages to pass on. */
    private final class Pushes implements ReplySink {
        @Override
        public void onReply(ByteBuf push) {
            try {
                received(push);
            } finally {
                push.release();
            }
        }

        @Override
        public void onFailure(String message) {
            session.closeBecause("Pub/Sub connection lost: " + message);
        }
    }

    private void received(ByteBuf push) {
        byte type = ReplyReader.type(push);
        if (type != '*' && type != '>') {
            return; // e.g. the reply to a handshake, or an error for a malformed command
        }
        int at = ReplyReader.afterLine(push, push.readerIndex());
        byte[] kindBytes = ReplyReader.bulk(push, at);
        String kind = kindBytes == null ? "" : new String(kindBytes, StandardCharsets.US_ASCII);
        switch (kind) {
            case "message", "pmessage" -> {
                ByteBuf shown = KeyspaceChannels.shown(rules.get(), push);
                if (shown != null) {
                    session.push(shown);
                }
            }
            case "smessage" -> session.push(push.retainedDuplicate());
            case "subscribe", "psubscribe", "ssubscribe", "unsubscribe", "punsubscribe", "sunsubscribe" -> {
                at = ReplyReader.end(push, at);
                byte[] name = ReplyReader.bulk(push, at);
                if (name != null) {
                    confirmed(kind, kind.equals("subscribe") || kind.equals("unsubscribe") ? KeyspaceChannels.subscribed(name) : name);
                }
            }
            default -> { }
        }
    }

    private void confirmed(String kind, byte[] name) {
        ArrayDeque<Item> queue = awaiting.get(key(kind, name));
        Item item = queue == null ? null : queue.peekFirst();
        if (item == null || --item.remaining > 0) {
            return;
        }
        queue.pollFirst();
        if (queue.isEmpty()) {
            awaiting.remove(key(kind, name));
        }
        batchOf.remove(item).open--;
        answerReady();
    }

    /**
     * Applies and answers the batches at the head of the queue that every group has confirmed.
     * Batches are applied in the order of the client's commands and each in argument order, so
     * each confirmation carries the count Redis gives after that argument, whatever order the
     * groups confirmed in.
     */
    private void answerReady() {
        while (!batches.isEmpty() && batches.peekFirst().open == 0) {
            Batch batch = batches.pollFirst();
            ByteBuf all = session.alloc().buffer();
            for (Item i : batch.items) {
                String text = new String(i.name, StandardCharsets.ISO_8859_1);
                if (i.kind.contains("unsubscribe")) {
                    setFor(i.kind).remove(text);
                } else {
                    setFor(i.kind).add(text);
                }
                ByteBuf one = confirmation(session.alloc(), session.protocol(), i.kind, i.name, count());
                all.writeBytes(one);
                one.release();
            }
            if (batch.items.isEmpty()) {
                ByteBuf none = confirmation(session.alloc(), session.protocol(), batch.kind, null, count());
                all.writeBytes(none);
                none.release();
            }
            batch.pending.onReply(all);
        }
    }

    /** PING while subscribed answers {@code ["pong", arg]}, as Redis does in RESP2. */
    static ByteBuf pong(ByteBufAllocator alloc, Request request) {
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, 2);
        RespWriter.writeBulk(buf, "pong");
        RespWriter.writeBulk(buf, request.argCount() > 1 ? request.argBytes(1) : new byte[0]);
        return buf;
    }

    /** A (un)subscription confirmation: a push message in RESP3, an array in RESP2. */
    private static ByteBuf confirmation(ByteBufAllocator alloc, int protocol, String kind, byte[] name, int count) {
        ByteBuf buf = alloc.buffer();
        RespWriter.writePushHeader(buf, protocol, 3);
        RespWriter.writeBulk(buf, kind);
        if (name == null) {
            RespWriter.writeNull(buf, protocol);
        } else {
            RespWriter.writeBulk(buf, name);
        }
        RespWriter.writeInteger(buf, count);
        return buf;
    }

    private static ByteBuf command(ByteBufAllocator alloc, String command, List<byte[]> names) {
        return RespWriter.command(alloc, command.toUpperCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII), names);
    }

    private static String key(String kind, byte[] name) {
        return kind + ':' + new String(name, StandardCharsets.ISO_8859_1);
    }

    /** The client switched RESP version: its links switch too, so later messages come in the new one. */
    void protocolChanged(int version) {
        links.values().forEach(c -> c.send(command(session.alloc(), "hello", List.of(Integer.toString(version)
                .getBytes(StandardCharsets.US_ASCII))), null));
    }

    /** Drops every subscription and closes the links (client gone, or RESET). */
    void close() {
        links.values().forEach(conn -> {
            conn.pushTo(null); // a link we close is no loss to report
            conn.close();
        });
        links.clear();
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        awaiting.clear();
        batchOf.clear();
        batches.clear();
        placed.clear();
        wired.clear();
    }
}
