package io.kvstore.proxy.session;

import io.kvstore.proxy.loop.InFlightBudget;
import io.kvstore.proxy.resp.RequestFramer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;

/**
 * Whether one client's reading is stopped, for either of two reasons: the client itself has
 * {@code --max-pending} replies owed (resumes at half), or its loop's share of
 * {@code --max-requests-in-flight} is used up (resumes when the loop's count falls to half the
 * share). Reading goes on only when neither holds. Owned by the client's event loop.
 *
 * <p>Invariants: {@code units} is how many entries of the client's reply queue this client has
 * taken from the loop's {@link InFlightBudget} and not given back; {@link #close} gives back all
 * of them, so a closed client leaks none whatever path closed it. While paused, the client's
 * framer cuts no request, so each pause lets in no request beyond the one that caused it.
 */
final class ReadThrottle implements InFlightBudget.Waiter {

    private final InFlightBudget budget;
    private final int maxPending;
    private Channel channel;
    private RequestFramer framer;
    private int units;
    private boolean ownPause;
    private boolean loopPause;
    private boolean readPaused;
    private boolean closed;

    ReadThrottle(InFlightBudget budget, int maxPending) {
        this.budget = budget;
        this.maxPending = maxPending;
    }

    /** The channel became active; {@code framer} may be null where the pipeline has none (tests). */
    void attach(Channel channel, RequestFramer framer) {
        this.channel = channel;
        this.framer = framer;
    }

    /** One more entry (a request read, or a push) in a reply queue now {@code queueSize} long. */
    void queued(int queueSize) {
        if (closed) {
            return; // nothing is queued after close; a unit taken now would never come back
        }
        units++;
        if (budget.take() && !loopPause) {
            loopPause = true;
            budget.await(this);
        }
        if (queueSize >= maxPending) {
            ownPause = true;
        }
        apply();
    }

    /** {@code n} entries left the reply queue, now {@code queueSize} long. */
    void dequeued(int n, int queueSize) {
        if (closed) {
            return; // close gave every unit back, whatever left the queue with it
        }
        units -= n;
        budget.give(n);
        if (ownPause && queueSize <= maxPending / 2) {
            ownPause = false;
            apply();
        }
    }

    @Override
    public void budgetFreed() {
        loopPause = false;
        apply();
    }

    /** The client closed: every unit goes back, and the loop forgets it. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (loopPause) {
            loopPause = false;
            budget.forget(this);
        }
        int n = units;
        units = 0;
        budget.give(n);
    }

    /** Whether reading is stopped, for either reason (CLIENT LIST). */
    boolean paused() {
        return readPaused;
    }

    private void apply() {
        boolean pause = (ownPause || loopPause) && !closed;
        if (pause == readPaused || channel == null) {
            return;
        }
        readPaused = pause;
        if (framer != null) {
            framer.paused(pause);
        }
        channel.config().setAutoRead(!pause);
        if (!pause && framer != null) {
            // Later, not now: this may run inside another client's reply or inside this one's completion.
            channel.eventLoop().execute(this::cutBuffered);
        }
    }

    private void cutBuffered() {
        ChannelHandlerContext ctx = channel.pipeline().context(framer);
        if (!readPaused && !closed && ctx != null) {
            try {
                framer.cutBuffered(ctx);
            } catch (Exception e) {
                channel.pipeline().fireExceptionCaught(e);
            }
        }
    }
}
