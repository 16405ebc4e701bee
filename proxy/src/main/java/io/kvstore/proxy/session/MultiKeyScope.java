package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import java.util.Locale;

/**
 * Which keys one command, or one transaction, may combine ({@code --multi-key-scope}). Immutable;
 * shared by every event loop.
 *
 * <p>{@link #SLOT}, the default, is Redis Cluster's rule: all keys in one slot (use {@code {hash
 * tags}}). It holds whatever the layout, so an application behaves the same on one group or ten,
 * before and after a rebalance. {@link #GROUP} accepts keys whose slots sit on one group under the
 * map the command is routed by: more commands run, but which ones depends on where slots happen to
 * be, and a command that runs today may get -CROSSSLOT after a reshard. Split commands (MGET,
 * MSET, DEL...) and keyspace fan-outs are not concerned: they are split per group in both.
 *
 * <p>A <em>scope id</em> names what the keys share: a slot under {@link #SLOT}, a group index under
 * {@link #GROUP}. Two requests may run together exactly when their scope ids are equal.
 */
public enum MultiKeyScope {
    /** All keys of a command (or transaction) in one slot. */
    SLOT,
    /** All keys of a command (or transaction) on one group, under the map it is routed by. */
    GROUP;

    /** No key at all: the command may run anywhere. */
    static final int NO_KEYS = -1;
    /** Keys in more than one scope: -CROSSSLOT. */
    static final int CROSS = -2;
    /** The error for keys in more than one scope, worded as Redis Cluster words it. */
    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    /** {@code slot} or {@code group}, as written in the option. */
    public static MultiKeyScope parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "slot" -> SLOT;
            case "group" -> GROUP;
            default -> throw new IllegalArgumentException("--multi-key-scope must be slot or group, not '" + text + "'");
        };
    }

    /** The scope id of the keys at argument positions {@code keys}: {@link #NO_KEYS}, {@link #CROSS} or a slot/group. */
    int of(SlotMap map, Request request, int[] keys) {
        int scope = NO_KEYS;
        for (int k : keys) {
            int slot = KeySlot.of(request.frame(), request.argOffset(k), request.argLength(k));
            int s = this == SLOT ? slot : map.groupIndex(slot);
            if (scope >= 0 && s != scope) {
                return CROSS;
            }
            scope = s;
        }
        return scope;
    }

    /** The group that runs a command of scope id {@code scope} under {@code map}; sentinels pass through. */
    int group(SlotMap map, int scope) {
        return this == SLOT && scope >= 0 ? map.groupIndex(scope) : scope;
    }

    /** The group owning every key at {@code keys}: {@link #NO_KEYS}, {@link #CROSS} or a group index. */
    int groupOf(SlotMap map, Request request, int[] keys) {
        return group(map, of(map, request, keys));
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
