package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.pubsub.PubSubHub;
import io.kvstore.proxy.pubsub.Subscriber;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Pub/Sub for one client: what it asked for, and its confirmations. Confined to the client's
 * event loop. The subscriptions themselves are made by the loop's {@link PubSubHub}, on one
 * connection per group shared by every subscriber of the loop.
 *
 * <p>The client gets one confirmation per channel, with its own subscription count, once every
 * group involved has confirmed (at once when the loop already holds the channel); its commands
 * are answered in order, each in argument order. The client joins a channel in the hub when its
 * command is dispatched, so every message passed on to it is queued behind that confirmation; it
 * leaves when its UNSUBSCRIBE is dispatched, so no message is queued behind the UNSUBSCRIBE's.
 *
 * <p>Under key rewrite rules a SUBSCRIBE to the keyspace channel of a rewritten key is made on
 * the channel of its stored name, and confirmations are by the client's name (see the hub).
 */
final class PubSub implements Subscriber {

    /** One confirmation owed to the client. */
    private record Item(String kind, byte[] name) {
    }

    /**
     * The confirmations of one client command, answered together in argument order once
     * {@code open} is 0. A batch without items is an UNSUBSCRIBE (or PUNSUBSCRIBE, SUNSUBSCRIBE)
     * without arguments that found nothing subscribed: it answers {@code [kind, nil, count]}.
     */
    private static final class Batch {
        final PendingReply pending;
        final String kind;
        final List<Item> items = new ArrayList<>();
        int open = 1; // held open until every item is issued, as the hub may confirm at once

        Batch(PendingReply pending, String kind) {
            this.pending = pending;
            this.kind = kind;
        }
    }

    private final ClientSession session;
    private final PubSubHub hub;
    /** What the client holds as of its answered commands: what its counts are made of. */
    private final Set<String> channels = new LinkedHashSet<>();
    private final Set<String> patterns = new LinkedHashSet<>();
    private final Set<String> shardChannels = new LinkedHashSet<>();
    /**
     * Every subscription ("subscribe:name", "psubscribe:pattern", ...) as of the client's commands
     * dispatched so far, answered or not: what an UNSUBSCRIBE without arguments covers, and whether
     * the client is in subscribed state. In subscription order.
     */
    private final Set<String> asked = new LinkedHashSet<>();
    /** Every batch not answered yet, in the order of the client's commands. */
    private final ArrayDeque<Batch> batches = new ArrayDeque<>();

    PubSub(ClientSession session, PubSubHub hub) {
        this.session = session;
        this.hub = hub;
    }

    /**
     * Whether the client is in subscribed state, where only Pub/Sub commands, PING, QUIT and RESET
     * are allowed: as its commands so far leave it, as on a Redis that has run them, whether or not
     * the groups have confirmed them yet.
     */
    boolean active() {
        return !asked.isEmpty();
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
        String kind = unsubscribe ? command.replace("unsubscribe", "subscribe") : command;
        String prefix = kind + ':';
        if (unsubscribe && names.isEmpty()) {
            // Everything asked for so far, confirmed or not: a SUBSCRIBE in the same write counts.
            asked.stream().filter(k -> k.startsWith(prefix))
                    .forEach(k -> names.add(k.substring(prefix.length()).getBytes(StandardCharsets.ISO_8859_1)));
        }
        Batch batch = new Batch(pending, command);
        batches.add(batch);
        for (byte[] name : names) {
            batch.items.add(new Item(command, name));
            String key = prefix + new String(name, StandardCharsets.ISO_8859_1);
            if (unsubscribe) {
                asked.remove(key);
                hub.unsubscribe(this, kind, name);
            } else {
                asked.add(key);
                batch.open++;
                hub.subscribe(this, kind, name, map, () -> {
                    batch.open--;
                    answerReady();
                });
            }
        }
        batch.open--;
        answerReady();
    }

    @Override
    public int protocol() {
        return session.protocol();
    }

    @Override
    public void deliver(ByteBuf message) {
        session.push(message);
    }

    @Override
    public void lost(String why) {
        session.closeBecause("Pub/Sub subscription lost: " + why);
    }

    private Set<String> setFor(String command) {
        // only SSUBSCRIBE / SUNSUBSCRIBE are shard channels: "subscribe" starts with an s too
        return command.startsWith("p") ? patterns
                : command.startsWith("ss") || command.startsWith("sun") ? shardChannels : channels;
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
                String text = new String(i.name(), StandardCharsets.ISO_8859_1);
                if (i.kind().contains("unsubscribe")) {
                    setFor(i.kind()).remove(text);
                } else {
                    setFor(i.kind()).add(text);
                }
                confirmation(all, session.protocol(), i.kind(), i.name(), count());
            }
            if (batch.items.isEmpty()) {
                confirmation(all, session.protocol(), batch.kind, null, count());
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

    /** Writes a (un)subscription confirmation: a push message in RESP3, an array in RESP2. */
    private static void confirmation(ByteBuf buf, int protocol, String kind, byte[] name, int count) {
        RespWriter.writePushHeader(buf, protocol, 3);
        RespWriter.writeBulk(buf, kind);
        if (name == null) {
            RespWriter.writeNull(buf, protocol);
        } else {
            RespWriter.writeBulk(buf, name);
        }
        RespWriter.writeInteger(buf, count);
    }

    /** Drops every subscription (client gone, or RESET). */
    void close() {
        for (String key : asked) {
            int colon = key.indexOf(':');
            hub.unsubscribe(this, key.substring(0, colon), key.substring(colon + 1).getBytes(StandardCharsets.ISO_8859_1));
        }
        asked.clear();
        channels.clear();
        patterns.clear();
        shardChannels.clear();
        batches.clear();
    }
}
