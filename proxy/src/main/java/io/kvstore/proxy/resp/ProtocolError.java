package io.kvstore.proxy.resp;

/**
 * The framer's verdict that a client sent bytes that are not RESP. Emitted in stream order after
 * every request framed before the bad bytes, so the error reply takes its place in the reply
 * order and the connection is closed after it, as Redis does. Immutable value.
 *
 * @param message text after {@code -ERR Protocol error: }
 */
public record ProtocolError(String message) {

    /** The kind of error for metrics: too_big, bad_length, bad_marker, missing_crlf, unbalanced_quotes or other. */
    public String kind() {
        if (message.startsWith("too big")) {
            return "too_big";
        } else if (message.startsWith("invalid")) {
            return "bad_length";
        } else if (message.startsWith("expected '$'")) {
            return "bad_marker";
        } else if (message.startsWith("expected CRLF")) {
            return "missing_crlf";
        } else if (message.startsWith("unbalanced")) {
            return "unbalanced_quotes";
        }
        return "other";
    }
}
