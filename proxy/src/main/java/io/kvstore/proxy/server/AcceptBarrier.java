package io.kvstore.proxy.server;

import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Runs a task once every connection already accepted by the kernel has been taken by the accept
 * loop and registered on its worker loop, where its session joins the client registry. A client
 * whose connect has returned is in the kernel's accept queue; without this wait a CLIENT LIST
 * right after it would miss it while the hand-over from the accept loop to a worker is under way.
 *
 * <p>How: a task on the accept loop that queues itself once more runs after at least one full
 * pass of that loop over its listening socket (accepting what is queued and queueing each new
 * channel's registration on its worker); a task then queued on every worker runs after those
 * registrations. Immutable; called from any thread, the task runs on a worker loop. Lock-free
 * and never blocks a loop.
 */
final class AcceptBarrier implements Consumer<Runnable> {

    private final EventLoop acceptLoop;
    private final List<EventExecutor> workers = new ArrayList<>();

    AcceptBarrier(EventLoopGroup boss, EventLoopGroup workerGroup) {
        this.acceptLoop = boss.next();
        workerGroup.forEach(workers::add);
    }

    @Override
    public void accept(Runnable then) {
        acceptLoop.execute(() -> acceptLoop.execute(() -> {
            AtomicInteger left = new AtomicInteger(workers.size());
            for (EventExecutor w : workers) {
                w.execute(() -> {
                    if (left.decrementAndGet() == 0) {
                        then.run();
                    }
                });
            }
        }));
    }
}
