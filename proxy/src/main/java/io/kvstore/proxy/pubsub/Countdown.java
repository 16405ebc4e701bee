package io.kvstore.proxy.pubsub;

/**
 * Runs {@code then} once it has itself been run {@code remaining} times: one subscription waiting
 * for the confirmation of every group it is made on. Confined to one loop.
 */
final class Countdown implements Runnable {

    private final Runnable then;
    private int remaining;

    Countdown(int remaining, Runnable then) {
        this.remaining = remaining;
        this.then = then;
        if (remaining == 0) {
            then.run();
        }
    }

    @Override
    public void run() {
        if (--remaining == 0) {
            then.run();
        }
    }
}
