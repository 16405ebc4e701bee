package io.kvstore.proxy.pubsub;

import io.kvstore.config.HostPort;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * One channel, pattern or shard channel that clients of a loop subscribed to, by the name they
 * gave. Confined to the loop of its {@link PubSubHub}.
 *
 * <p>Invariant: {@code subscribers} is not empty while the topic is in its hub; the subscription
 * is made on the server as {@code wire} (the client's name, or the stored name of a rewritten
 * key's keyspace channel) on the link of each master in {@code at}.
 */
final class Topic {

    /** subscribe, psubscribe or ssubscribe. */
    final String kind;
    /** The name the clients subscribed to. */
    final byte[] name;
    /** The name the servers are subscribed to. */
    byte[] wire;
    /** The masters whose links carry it. */
    Set<HostPort> at = new LinkedHashSet<>();
    final Set<Subscriber> subscribers = new LinkedHashSet<>();

    Topic(String kind, byte[] name, byte[] wire) {
        this.kind = kind;
        this.name = name;
        this.wire = wire;
    }
}
