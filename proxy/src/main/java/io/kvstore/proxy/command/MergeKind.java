package io.kvstore.proxy.command;

/** How replies from several groups become one reply. A closed set; the table names one per split or fanned-out command. */
public enum MergeKind {
    /** +OK when every group said OK (MSET, FLUSHDB). */
    ALL_OK,
    /**
     * SCRIPT KILL, FUNCTION KILL: sent on a connection of its own per group (the shared one may
     * wait behind the very script); an error other than NOTBUSY (UNKILLABLE) from any group, else
     * +OK when a group killed one, else NOTBUSY.
     */
    KILL,
    /** Integers summed (DEL, EXISTS, DBSIZE). */
    SUM,
    /** The smallest integer (WAIT: replicas that acknowledged on every group). */
    MIN,
    /** Arrays concatenated (KEYS). */
    CONCAT,
    /** Arrays concatenated without duplicates (PUBSUB CHANNELS). */
    UNION,
    /** Element-wise AND of integer arrays (SCRIPT EXISTS: loaded everywhere). */
    AND,
    /** Pairs of name, count summed per name (PUBSUB NUMSUB). */
    NUMSUB,
    /** The first group's reply (FUNCTION LIST: functions are loaded on every group alike). */
    FIRST,
    /** The first reply that is not null (RANDOMKEY). */
    FIRST_NON_NULL,
    /** Every group must answer the same; that answer (SCRIPT LOAD's SHA). */
    SAME,
    /** CONFIG GET: each parameter once, the first group's value, then the proxy's own settings. */
    CONFIG,
    /** Values put back in key order (MGET). */
    MGET,
    /** One group at a time, with the group in the cursor (SCAN). */
    SCAN,
    /** INFO: the groups' texts merged field by field (doc/info.md) and the proxy's own section. */
    INFO
}
