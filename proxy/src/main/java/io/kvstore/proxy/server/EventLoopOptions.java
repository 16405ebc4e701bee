package io.kvstore.proxy.server;

import picocli.CommandLine.Option;

/**
 * The options of the worker event loops, a picocli mixin of {@link ProxyMain} (so the YAML file and the
 * environment give them as they give every option): how many loops, and how long each polls before it sleeps.
 * Checked where {@link ProxyOptions} is built. Main thread only.
 */
final class EventLoopOptions {

    @Option(names = "--threads", defaultValue = "0", description = "Worker event loops (default: one per core).")
    int threads;

    @Option(names = "--busy-poll-us", defaultValue = "0", paramLabel = "MICROS", description = "How long a worker loop polls "
            + "for I/O before it sleeps, 0.." + ProxyOptions.MAX_BUSY_POLL_MICROS + " (default: ${DEFAULT-VALUE}, off; not with "
            + "io_uring). Saves wake-ups but spends CPU while it spins: measured in doc/performance.md.")
    long busyPollUs;

    /** {@code --threads}, 0 meaning one per core. */
    int threads() {
        return threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    }
}
