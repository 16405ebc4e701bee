package io.kvstore.proxy.tracking;

import java.util.List;

/**
 * A client with tracking on, as the {@link TrackingHub} of its loop sees it: the hub tells it
 * which of the keys it read were changed, and asks whether a key matches its broadcast prefixes.
 * Called on the client's loop.
 */
public interface TrackingClient {

    /** Keys this client may have cached were changed; {@code keys == null} means every key (flush). */
    void invalidate(List<byte[]> keys);

    /** Whether the client tracks in BCAST mode and {@code key} starts with one of its prefixes. */
    boolean broadcastMatches(byte[] key);
}
