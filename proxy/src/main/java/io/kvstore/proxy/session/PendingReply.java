package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.hotkeys.KeySample;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.stats.CommandStats;
import io.kvstore.proxy.stats.LoopStats;
import io.kvstore.proxy.stats.SlowLog;
import io.netty.buffer.ByteBuf;
import java.util.function.UnaryOperator;

/**
 * The place of one request in its client's reply order. Confined to the client's event loop.
 *
 * <p>Invariant: completed at most once; the reply it holds is owned by it until the session
 * writes it or, if the client has gone, releases it.
 *
 * <p>Timing: made when its request is framed; once the dispatcher has named the command
 * ({@link #timed}) the reply's hand-over to the client write records the call. While the slow log
 * is on it also holds a short copy of its request's arguments ({@link SlowLog#snapshot}), and when
 * the hot-key sampler picked its request, the sample, which counts its keys once the reply is taken.
 */
final class PendingReply implements ReplySink {

    private final ClientSession session;
    private ByteBuf reply;
    private boolean closeAfter;
    private boolean silent;
    private final long startNanos = System.nanoTime();
    private LoopStats stats;
    private CommandStats command;
    private byte[] args;
    private boolean rejected;
    private boolean rewritten;
    private boolean timed;
    private UnaryOperator<ByteBuf> filter;
    private KeySample hot;

    PendingReply(ClientSession session) {
        this.session = session;
    }

    /**
     * Names the command this reply answers; only the first call counts: a held request, a woken
     * blocking command and a request whose keys key rewrite renamed are dispatched again, and the
     * first call is the one with the client's own key names (hot keys and SLOWLOG show those).
     */
    void timed(LoopStats loopStats, CommandSpec spec, Request request) {
        if (timed) {
            return;
        }
        timed = true;
        hot = loopStats.hotKeys().sample(spec, request);
        if (!loopStats.enabled()) {
            return;
        }
        stats = loopStats;
        command = loopStats.command(spec.name());
        if (loopStats.slowLog().enabled()) {
            args = SlowLog.snapshot(request);
        }
    }

    /** Refuses {@code request} without running it: releases its frame and answers {@code error} (a rejected call). */
    void refuse(Request request, String error) {
        rejected();
        request.release();
        onFailure(error);
    }

    /** The proxy refused the request without running it (rejected_calls, not calls). */
    void rejected() {
        rejected = true;
    }

    private void record(ByteBuf r) {
        long nanos = command.replied(startNanos, r, rejected);
        if (args != null) {
            if (nanos >= 0 && stats.slowLog().isSlow(nanos)) {
                stats.slowLog().add(nanos, command.name(), args, session.remoteAddress(), session.info().name());
            }
            args = null;
        }
        command = null;
    }

    /** Whether key rewrite has seen this request already (it is dispatched again after a hold or a wake-up). */
    boolean rewritten() {
        return rewritten;
    }

    /** Marks the request as rewritten; {@code replies}, when not null, turns the reply into the one the client gets. */
    void rewritten(UnaryOperator<ByteBuf> replies) {
        rewritten = true;
        filter = replies;
    }

    /** Takes the reply filter off this reply (a queued command's filter moves to its EXEC), or null. */
    UnaryOperator<ByteBuf> takeFilter() {
        UnaryOperator<ByteBuf> f = filter;
        filter = null;
        return f;
    }

    boolean isDone() {
        return reply != null;
    }

    /** Hands the reply over to the caller. */
    ByteBuf takeReply() {
        ByteBuf r = reply;
        reply = null;
        if (hot != null) {
            hot.replied(r);
            hot = null;
        }
        if (command != null) {
            record(r);
        }
        return r;
    }

    /** CLIENT REPLY OFF/SKIP: the request runs but its reply is dropped. */
    void silence() {
        silent = true;
    }

    /** CLIENT REPLY ON, read while replies were off: its own OK is sent, as Redis sends it. */
    void unsilence() {
        silent = false;
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
        if (filter != null) {
            UnaryOperator<ByteBuf> f = filter;
            filter = null;
            try {
                buf = f.apply(buf); // takes buf over
            } catch (RuntimeException e) {
                buf = Replies.error(session.alloc(), "ERR kvstore could not read the reply: " + e);
            }
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
        args = null;
        if (reply != null) {
            reply.release();
            reply = null;
        }
    }
}
