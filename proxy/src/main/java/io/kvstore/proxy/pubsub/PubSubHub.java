package io.kvstore.proxy.pubsub;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotHash;
import io.kvstore.config.SlotMap;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.rewrite.KeyspaceChannels;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * Pub/Sub for the clients of one event loop. Confined to that loop: no locks.
 *
 * <p>A channel lives on the group that owns its slot (its name hashed like a key), so PUBLISH
 * through any proxy reaches each subscriber exactly once: subscriptions to a channel and
 * publications on it meet on one redis-server. Patterns can match channels of any group, so a
 * pattern is subscribed on every group; a message still arrives once because it is published on
 * one group only. Keyspace notifications follow the key: {@code __keyspace@0__:k} lives on the
 * group of {@code k}, and {@code __keyevent@0__:*} events happen on every group.
 *
 * <p>The loop has one subscribed connection per group ({@link SharedLink}) whatever the number
 * of its subscribers: the server is subscribed to a channel when the first client of the loop
 * wants it and unsubscribed when the last one leaves, and each message read once is passed to
 * every client of the loop holding it ({@link Fanout}). So the servers count one subscriber per
 * loop and channel (PUBLISH's reply, PUBSUB NUMSUB), not one per client.
 *
 * <p>Invariant: {@code topics} holds every channel/pattern some client of the loop is
 * subscribed to, each placed on the links of the masters in its {@code at}; a link is in
 * {@code links} until it is idle or lost. Losing a link loses every client subscribed through it,
 * as a Redis restart would, so they resubscribe.
 */
public final class PubSubHub {

    /** Opens a connection to a group's master in the given RESP version; the hub closes it. */
    private final BiFunction<Group, Integer, BackendConnection> connections;
    private final ByteBufAllocator alloc;
    private final Supplier<RewriteRules> rules;
    /** The hub's loop: a lost link is handled in a task of its own, never inside the call that found it lost. */
    private final Executor loop;
    private final Map<HostPort, SharedLink> links = new HashMap<>();
    private final Map<String, Topic> topics = new LinkedHashMap<>();

    /** {@code rules}: the cluster's key rewrite rules now (null for none). */
    public PubSubHub(BiFunction<Group, Integer, BackendConnection> connections, ByteBufAllocator alloc,
                     Supplier<RewriteRules> rules, Executor loop) {
        this.connections = connections;
        this.loop = loop;
        this.alloc = alloc;
        this.rules = rules;
    }

    /**
     * Subscribes {@code s} to {@code name} ({@code kind}: subscribe, psubscribe or ssubscribe);
     * runs {@code confirmed} once every group it is made on has confirmed it: at once when the
     * loop already holds it.
     */
    public void subscribe(Subscriber s, String kind, byte[] name, SlotMap map, Runnable confirmed) {
        String key = SharedLink.key(kind, name);
        Topic topic = topics.get(key);
        if (topic == null) {
            topic = new Topic(kind, name, wire(kind, name));
            topics.put(key, topic);
            int[] groups = groupsOf(kind, name, map);
            Countdown all = new Countdown(groups.length, confirmed);
            for (int g : groups) {
                Group group = map.groups().get(g);
                topic.at.add(group.master());
                link(group).need(kind, topic.wire, topic, all);
            }
        } else {
            Countdown all = new Countdown(topic.at.size(), confirmed);
            for (HostPort master : topic.at) {
                links.get(master).whenConfirmed(kind, topic.wire, all);
            }
        }
        topic.subscribers.add(s);
    }

    /** Unsubscribes {@code s} from {@code name}: no message of it reaches {@code s} after this call. */
    public void unsubscribe(Subscriber s, String kind, byte[] name) {
        String key = SharedLink.key(kind, name);
        Topic topic = topics.get(key);
        if (topic == null || !topic.subscribers.remove(s) || !topic.subscribers.isEmpty()) {
            return;
        }
        topics.remove(key);
        for (HostPort master : topic.at) {
            SharedLink link = links.get(master);
            if (link != null) {
                link.release(kind, topic.wire, topic);
            }
        }
    }

    /**
     * A new slot map is in place: topics whose channel now lives on another group (a slot moved,
     * a group came or went, a master changed) are made on the new group first, then dropped from
     * the old one. A message published in between may arrive twice or, from a publisher whose
     * proxy switched earlier, not at all (doc/resharding.md).
     */
    public void mapChanged(SlotMap map) {
        for (Topic topic : topics.values()) {
            byte[] before = topic.wire;
            byte[] now = wire(topic.kind, topic.name); // a bump comes with a new map: the stored name may have changed
            boolean renamed = !Arrays.equals(before, now);
            Set<HostPort> want = new LinkedHashSet<>();
            for (int g : groupsOf(topic.kind, topic.name, map)) {
                Group group = map.groups().get(g);
                want.add(group.master());
                if (renamed || !topic.at.contains(group.master())) {
                    link(group).need(topic.kind, now, topic, null);
                }
            }
            for (HostPort old : topic.at) {
                SharedLink link = links.get(old);
                if ((renamed || !want.contains(old)) && link != null) {
                    link.release(topic.kind, before, topic);
                }
            }
            topic.at = want;
            topic.wire = now;
        }
    }

    /** The cluster's key rewrite rules now. */
    RewriteRules rules() {
        return rules.get();
    }

    /**
     * Nothing is subscribed on {@code link}: closed, so a retired group's server is let go. Later,
     * as its own task: not inside the link's own read, and not if a client of the loop has
     * subscribed on it again meanwhile.
     */
    void idle(SharedLink link) {
        loop.execute(() -> {
            if (link.idle() && links.values().remove(link)) {
                link.close();
            }
        });
    }

    /**
     * A server refused the subscription {@code topics} need: their clients are closed, as their
     * confirmation will never come, in a task of their own (closing unsubscribes them, which must
     * not happen inside the link's read). Clients of other topics are not touched.
     */
    void refused(Set<Topic> topics, String why) {
        Set<Subscriber> affected = new LinkedHashSet<>();
        topics.forEach(t -> affected.addAll(t.subscribers));
        loop.execute(() -> affected.forEach(s -> s.lost(why)));
    }

    /**
     * {@code link}'s connection was lost: every client subscribed through it is lost too. Runs
     * later, as its own task: a send may fail at once, and the clients it closes unsubscribe,
     * which must not happen in the middle of a subscribe or a map change.
     */
    void lost(SharedLink link, String why) {
        loop.execute(() -> lostNow(link, why));
    }

    private void lostNow(SharedLink link, String why) {
        if (!links.values().remove(link)) {
            return; // already handled: every failed send reports the loss again
        }
        Set<Subscriber> affected = new LinkedHashSet<>();
        for (Topic topic : link.topics()) {
            affected.addAll(topic.subscribers);
        }
        link.close();
        affected.forEach(s -> s.lost(why)); // each closes and unsubscribes everything it holds
    }

    private SharedLink link(Group group) {
        return links.computeIfAbsent(group.master(), a -> new SharedLink(this, connections.apply(group, 2), alloc));
    }

    /** The channel a subscription of {@code kind} to {@code name} is made on now: a rewritten key's by its stored name. */
    private byte[] wire(String kind, byte[] name) {
        return kind.equals("subscribe") ? KeyspaceChannels.stored(rules.get(), name) : name;
    }

    /** The groups a subscription is made on. */
    private static int[] groupsOf(String kind, byte[] name, SlotMap map) {
        String text = new String(name, StandardCharsets.ISO_8859_1);
        if (kind.equals("psubscribe") || text.startsWith("__keyevent@")) {
            int[] every = new int[map.groups().size()];
            Arrays.setAll(every, i -> i);
            return every;
        }
        int colon = text.indexOf(':');
        if (text.startsWith("__keyspace@") && colon > 0) {
            return new int[] {map.groupIndex(SlotHash.slot(name, colon + 1, name.length - colon - 1))};
        }
        return new int[] {map.groupIndex(SlotHash.slot(name))};
    }
}
