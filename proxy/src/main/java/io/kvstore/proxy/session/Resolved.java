package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Request;

/**
 * One request as {@link RequestResolver} resolved it, once: its command, where its keys are, the
 * slot of its first key and the slot map it is decided by. Every gate and the router read this
 * instead of deriving keys again, so what is checked is what is routed. A value (the arrays are
 * never changed after resolving) made and used on the client's event loop; the request's frame is
 * owned by whichever gate or route takes the request.
 *
 * @param keys    positions of the key arguments, as routing sees them; empty for none, or when
 *                {@code badKeys} says they cannot be found
 * @param badKeys why the arguments do not say where the keys are, or null; routing answers it
 * @param slot    the slot of the first key, -1 without keys
 * @param map     the slot map read when the request was resolved: the gates and the route decide by it
 */
record Resolved(Request request, PendingReply pending, CommandSpec spec, int[] keys,
                KeyFinder.BadKeysException badKeys, int slot, SlotMap map) {

    /** The key positions, or the routing error when the arguments do not say where the keys are. */
    int[] routingKeys() {
        if (badKeys != null) {
            throw badKeys;
        }
        return keys;
    }
}
