package io.kvstore.proxy.command;

/** How the proxy runs a command. A closed set: the dispatcher handles each kind once. */
public enum CommandKind {
    /** One key; the key's slot decides the group. */
    SINGLE,
    /** Several keys at fixed positions that must all live in one group, or the command gets -CROSSSLOT. */
    SAME_GROUP,
    /** MGET: keys grouped per group, values merged back in key order. */
    SPLIT_MGET,
    /** MSET: key/value pairs grouped per group. */
    SPLIT_MSET,
    /** DEL, UNLINK, EXISTS, TOUCH: keys grouped per group, integer replies summed. */
    SPLIT_SUM,
    /** Keys whose positions depend on other arguments (EVAL numkeys, ZUNIONSTORE numkeys, SORT ... STORE). */
    MOVABLE_KEYS,
    /** Sent to every group, replies merged. */
    FAN_OUT,
    /** No key; any one group can answer. */
    ANY_SHARD,
    /** kvstore's own keyspace walks (PDEL); not a Redis command. */
    KEYSPACE,
    /** Answered by the proxy itself. */
    LOCAL,
    /** MULTI/EXEC/DISCARD/WATCH/UNWATCH: pinned to one backend connection. */
    TRANSACTION,
    /** Blocks the connection; needs a backend connection of its own. */
    BLOCKING,
    /** Pub/Sub. */
    PUBSUB,
    /** The kind is decided by the subcommand (second argument). */
    CONTAINER,
    /** Refused: breaks the cluster or means nothing through a proxy. */
    REFUSED
}
