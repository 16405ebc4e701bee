package io.kvstore.proxy.backend;

import io.netty.channel.EventLoop;
import java.util.ArrayList;

/**
 * Coalesces flushes on one event loop: channels written during an I/O pass register here once,
 * and one task at the end of the pass flushes each of them once. A pipeline of a hundred
 * commands read in one pass costs one write syscall per backend and one per client, and replies
 * for many clients arriving in one backend read cost one flush per client. Owned by its event
 * loop; never touched from another thread.
 *
 * <p>It lives with the backends because backend connections are the members that need it most and
 * {@code backend} is below {@code loop} and {@code session} (doc/architecture.md): client
 * sessions, one layer up, join it too.
 */
public final class FlushBatch {

    /** Something with buffered writes. */
    public interface Member {
        /** Flushes; called once per pass in which {@link FlushBatch#add} named it. */
        void flushNow();
    }

    private final EventLoop loop;
    private ArrayList<Member> members = new ArrayList<>();
    private ArrayList<Member> spare = new ArrayList<>();
    private boolean scheduled;
    private final Runnable flushTask = this::flushAll;

    public FlushBatch(EventLoop loop) {
        this.loop = loop;
    }

    /** Registers a member that wrote; the caller keeps its own "already added" flag so each joins once. */
    public void add(Member member) {
        members.add(member);
        if (!scheduled) {
            scheduled = true;
            loop.execute(flushTask);
        }
    }

    private void flushAll() {
        scheduled = false;
        ArrayList<Member> batch = members;
        members = spare;
        spare = batch;
        for (int i = 0, n = batch.size(); i < n; i++) {
            batch.get(i).flushNow();
        }
        batch.clear();
    }
}
