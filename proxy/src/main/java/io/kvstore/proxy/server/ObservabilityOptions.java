package io.kvstore.proxy.server;

import io.kvstore.proxy.hotkeys.HotKeys;
import io.kvstore.proxy.session.ProxyContext;
import picocli.CommandLine.Option;

/**
 * The proxy's options for hot keys and LATENCY, a picocli mixin of {@link ProxyMain} (so the
 * YAML file and the environment give them as they give every option). Checked before the proxy
 * starts, applied to its context once it has. Main thread only.
 */
final class ObservabilityOptions {

    @Option(names = "--hotkeys-sample-rate", defaultValue = "" + HotKeys.DEFAULT_RATE,
            description = "Fraction of requests whose keys are counted for INFO hotkeys and the hot-key metrics; "
                    + "0 = off, 1 = every request (default: ${DEFAULT-VALUE}).")
    double hotkeysSampleRate;

    @Option(names = "--hotkeys-top", defaultValue = "" + HotKeys.DEFAULT_TOP,
            description = "Hot keys reported, by requests and by bytes, 1 to 1000 (default: ${DEFAULT-VALUE}).")
    int hotkeysTop;

    @Option(names = "--hotkeys-window-seconds", defaultValue = "" + HotKeys.DEFAULT_WINDOW_SECONDS,
            description = "Hot keys are counted over windows this long; INFO hotkeys shows the last whole one, 1 to 3600 "
                    + "(default: ${DEFAULT-VALUE}).")
    int hotkeysWindowSeconds;

    @Option(names = "--latency-monitor-threshold-ms", defaultValue = "100",
            description = "LATENCY records the proxy's events (migration-hold, backend-stall, backend-reconnect, fence) "
                    + "that lasted at least this; 0 = none (default: ${DEFAULT-VALUE}).")
    long latencyMonitorThresholdMs;

    /** Refuses a value out of range with an IllegalArgumentException naming the option. */
    void check() {
        if (latencyMonitorThresholdMs < 0) {
            throw new IllegalArgumentException("--latency-monitor-threshold-ms must be 0 (off) or more");
        }
        HotKeys.check(hotkeysSampleRate, hotkeysTop, hotkeysWindowSeconds);
    }

    /** Gives the values to a started proxy, before clients come. */
    void apply(ProxyContext context) {
        context.stats().latencyMonitor().threshold(latencyMonitorThresholdMs);
        context.stats().hotKeys().configure(hotkeysSampleRate, hotkeysTop, hotkeysWindowSeconds);
    }
}
