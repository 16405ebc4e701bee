package io.kvstore.proxy.resp;

/**
 * The framer's verdict that a client sent bytes that are not RESP. Emitted in stream order after
 * every request framed before the bad bytes, so the error reply takes its place in the reply
 * order and the connection is closed after it, as Redis does. Immutable value.
 *
 * @param message text after {@code -ERR Protocol error: }
 */
public record ProtocolError(String message) {
}
