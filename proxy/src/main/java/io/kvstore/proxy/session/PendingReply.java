package io.kvstore.proxy.session;

import io.kvstore.proxy.backend.ReplySink;
import io.kvstore.proxy.resp.Replies;
import io.netty.buffer.ByteBuf;

/**
 * The place of one request in its client's reply order. Confined to the client's event loop.
 *
 * <p>Invariant: completed at most once; the reply it holds is owned by it until the session
 * writes it or, if the client has gone, releases it.
 */
final class PendingReply implements ReplySink {

    private final ClientSession session;
    private ByteBuf reply;
    private boolean closeAfter;
    private boolean silent;

    PendingReply(ClientSession session) {
        this.session = session;
    }

    boolean isDone() {
        return reply != null;
    }

    /** Hands the reply over to the caller. */
    ByteBuf takeReply() {
        ByteBuf r = reply;
        reply = null;
        return r;
    }

    /** CLIENT REPLY OFF/SKIP: the request runs but its reply is dropped. */
    void silence() {
        silent = true;
    }

    boolean silent() {
        return silent;
    }

    boolean closeAfter() {
        return closeAfter;
    }

    /** Marks that the client connection closes once this reply is written (QUIT, protocol errors). */
    void closeAfterReply() {
        closeAfter = true;
    }

    @Override
    public void onReply(ByteBuf buf) {
        if (reply != null) {
            buf.release();
            throw new IllegalStateException("reply completed twice");
        }
        reply = buf;
        session.completed(this);
    }

    @Override
    public void onFailure(String message) {
        onReply(Replies.error(session.alloc(), message));
    }

    /** Frees a reply the client will never read. */
    void discard() {
        if (reply != null) {
            reply.release();
            reply = null;
        }
    }
}
