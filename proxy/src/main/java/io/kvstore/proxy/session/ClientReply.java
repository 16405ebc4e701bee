package io.kvstore.proxy.session;

/**
 * CLIENT REPLY for one client: whether the replies to its next requests are sent ({@code ON}),
 * dropped ({@code OFF}), or only the next one dropped ({@code SKIP}). Confined to the client's
 * event loop.
 *
 * <p>Invariant: {@code SKIP} silences exactly one request, the next one read, and then the mode is
 * {@code ON} again. A silenced request still takes its place in the reply queue, so the order of
 * the replies that are sent is kept.
 */
final class ClientReply {

    /** What CLIENT REPLY asked for. */
    enum Mode { ON, OFF, SKIP }

    private Mode mode = Mode.ON;

    /** CLIENT REPLY ON, OFF or SKIP: applies from the next request on. */
    void mode(Mode next) {
        mode = next;
    }

    /** A request was read: silences its reply when the mode says so. */
    void requestRead(PendingReply pending) {
        if (mode != Mode.ON) {
            pending.silence();
            if (mode == Mode.SKIP) {
                mode = Mode.ON;
            }
        }
    }
}
