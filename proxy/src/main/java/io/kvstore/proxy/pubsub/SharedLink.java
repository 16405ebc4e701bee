package io.kvstore.proxy.pubsub;

import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one subscribed connection of a loop to one group's master, shared by every topic of the
 * loop placed on that group. Confined to the hub's loop.
 *
 * <p>Invariants: {@code needs} holds, per server subscription ({@code "subscribe:" + wire name},
 * {@code "psubscribe:..."}, {@code "ssubscribe:..."}), the topics that need it, never an empty
 * set: the server is sent a SUBSCRIBE when the first topic comes and an UNSUBSCRIBE when the
 * last one leaves, so once every command sent is confirmed the server holds exactly the keys of
 * {@code needs}. {@code sent} holds per key those commands not confirmed yet, oldest first; the
 * server confirms each name of each command in order, so a confirmation is always the oldest's.
 * The connection speaks RESP2: a message reaches a RESP3 client as a copy with the push header.
 *
 * <p>A server answers each command, confirmation or error, in the order sent ({@code order}). A
 * SUBSCRIBE it refuses (e.g. {@code -NOPERM} when the proxy's backend user may not use the
 * channel) loses only the clients that wanted that subscription: they are closed, since their
 * confirmation will never come, and the link and everyone else on it carry on.
 */
final class SharedLink implements ReplySink {

    /** A (un)subscription sent and not yet confirmed, with what waits for it. */
    private static final class Sent {
        final List<Runnable> waiters = new ArrayList<>(1);
    }

    private final PubSubHub hub;
    private final BackendConnection connection;
    private final ByteBufAllocator alloc;
    private final Map<String, Set<Topic>> needs = new HashMap<>();
    private final Map<String, ArrayDeque<Sent>> sent = new HashMap<>();
    /** The key of every command sent and not answered yet, in sending order: an error reply names no channel, so it is the oldest's. */
    private final ArrayDeque<String> order = new ArrayDeque<>();

    SharedLink(PubSubHub hub, BackendConnection connection, ByteBufAllocator alloc) {
        this.hub = hub;
        this.connection = connection;
        this.alloc = alloc;
        connection.pushTo(this);
    }

    /**
     * {@code topic} needs the server subscribed to {@code wire} as {@code kind}; runs {@code then}
     * (if not null) once the server has confirmed it, at once if it already has.
     */
    void need(String kind, byte[] wire, Topic topic, Runnable then) {
        String key = key(kind, wire);
        Set<Topic> users = needs.get(key);
        if (users == null) {
            users = new LinkedHashSet<>(2);
            needs.put(key, users);
            send(kind, wire, true);
        }
        users.add(topic);
        if (then != null) {
            whenConfirmed(kind, wire, then);
        }
    }

    /** Runs {@code then} once the server has confirmed the subscription to {@code wire}: at once if it has. */
    void whenConfirmed(String kind, byte[] wire, Runnable then) {
        ArrayDeque<Sent> queue = sent.get(key(kind, wire));
        Sent last = queue == null ? null : queue.peekLast();
        if (last == null) {
            then.run();
        } else {
            last.waiters.add(then); // the newest command on a needed key is always a SUBSCRIBE
        }
    }

    /** {@code topic} no longer needs {@code wire}: unsubscribed on the server if no other topic does. */
    void release(String kind, byte[] wire, Topic topic) {
        String key = key(kind, wire);
        Set<Topic> users = needs.get(key);
        if (users != null && users.remove(topic) && users.isEmpty()) {
            needs.remove(key);
            send(kind, wire, false);
        }
    }

    /** Whether nothing is subscribed or on its way: the hub may close the link. */
    boolean idle() {
        return needs.isEmpty() && sent.isEmpty();
    }

    /** Every topic carried here: their subscribers are lost with the link. */
    Set<Topic> topics() {
        Set<Topic> all = new LinkedHashSet<>();
        needs.values().forEach(all::addAll);
        return all;
    }

    /** Closes the connection without reporting it lost. */
    void close() {
        connection.pushTo(null);
        connection.close();
    }

    private void send(String kind, byte[] wire, boolean subscribe) {
        String key = key(kind, wire);
        sent.computeIfAbsent(key, k -> new ArrayDeque<>(2)).add(new Sent());
        order.add(key);
        String command = subscribe ? kind : unsubscribe(kind);
        connection.send(RespWriter.command(alloc, command.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
                List.of(wire)), null);
    }

    private static String unsubscribe(String kind) {
        return switch (kind) {
            case "psubscribe" -> "punsubscribe";
            case "ssubscribe" -> "sunsubscribe";
            default -> "unsubscribe";
        };
    }

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
        hub.lost(this, message);
    }

    private void received(ByteBuf push) {
        byte type = ReplyReader.type(push);
        if (type == '-') {
            refused(push.toString(push.readerIndex() + 1, ReplyReader.afterLine(push, push.readerIndex())
                    - push.readerIndex() - 3, StandardCharsets.UTF_8));
            return;
        }
        if (type != '*' && type != '>') {
            return;
        }
        int at = ReplyReader.afterLine(push, push.readerIndex());
        byte[] kindBytes = ReplyReader.bulk(push, at);
        String kind = kindBytes == null ? "" : new String(kindBytes, StandardCharsets.US_ASCII);
        at = ReplyReader.end(push, at);
        byte[] name = push.getByte(at) == '$' ? ReplyReader.bulk(push, at) : null;
        if (name == null) {
            return;
        }
        switch (kind) {
            case "message" -> Fanout.deliver(needs.get(key("subscribe", name)), push, hub.rules(), true);
            case "pmessage" -> Fanout.deliver(needs.get(key("psubscribe", name)), push, hub.rules(), true);
            case "smessage" -> Fanout.deliver(needs.get(key("ssubscribe", name)), push, hub.rules(), false);
            case "subscribe", "unsubscribe" -> confirmed(key("subscribe", name));
            case "psubscribe", "punsubscribe" -> confirmed(key("psubscribe", name));
            case "ssubscribe", "sunsubscribe" -> confirmed(key("ssubscribe", name));
            default -> { }
        }
    }

    private void confirmed(String key) {
        Sent first = answered(key);
        if (first == null) {
            return;
        }
        first.waiters.forEach(Runnable::run);
        if (idle()) {
            hub.idle(this);
        }
    }

    /**
     * The server refused the oldest command. If it was a SUBSCRIBE still needed, the topics that
     * need it are dropped from this link and their clients lost; their waiters never run.
     */
    private void refused(String error) {
        String key = order.peekFirst();
        if (key == null || answered(key) == null) {
            return;
        }
        Set<Topic> users = needs.remove(key);
        if (users != null) {
            hub.refused(users, "the server refused " + key + ": " + error);
        }
        if (idle()) {
            hub.idle(this);
        }
    }

    /** Takes the oldest command sent on {@code key} off the books, with the oldest of all sent. */
    private Sent answered(String key) {
        ArrayDeque<Sent> queue = sent.get(key);
        Sent first = queue == null ? null : queue.pollFirst();
        if (first == null) {
            return null;
        }
        order.removeFirstOccurrence(key);
        if (queue.isEmpty()) {
            sent.remove(key);
        }
        return first;
    }

    static String key(String kind, byte[] name) {
        return kind + ':' + new String(name, StandardCharsets.ISO_8859_1);
    }
}
