package io.kvstore.proxy.metrics;

import io.kvstore.proxy.hotkeys.HotKey;
import io.kvstore.proxy.hotkeys.HotKeys;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The proxy's hot keys as Prometheus gauges: the top keys by requests per second and by bytes per
 * second in the last whole window ({@link HotKeys#report}), labelled by the key (in
 * {@link HotKey#printable} form) and its rank. At most {@code --hotkeys-top} series each; keys
 * come and go as traffic changes. Stateless; called on the metrics thread.
 */
final class HotKeyCollector implements MultiCollector {

    private final HotKeys hotKeys;

    HotKeyCollector(HotKeys hotKeys) {
        this.hotKeys = hotKeys;
    }

    @Override
    public MetricSnapshots collect() {
        HotKeys.Report r = hotKeys.report();
        return new MetricSnapshots(
                gauge("kvstore_hotkey_requests_per_second", "Estimated requests per second naming the key (top keys by requests)",
                        r.byOps(), HotKey::opsPerSecond),
                gauge("kvstore_hotkey_bytes_per_second", "Estimated request and reply bytes per second of the key (top keys by bytes)",
                        r.byBytes(), HotKey::bytesPerSecond),
                GaugeSnapshot.builder().name("kvstore_hotkey_sampled_per_second").help("Requests sampled for hot keys per second")
                        .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(r.sampledPerSecond()).build()).build());
    }

    private static GaugeSnapshot gauge(String name, String help, List<HotKey> keys, ToDoubleFunction<HotKey> value) {
        GaugeSnapshot.Builder b = GaugeSnapshot.builder().name(name).help(help);
        for (int i = 0; i < keys.size(); i++) {
            HotKey k = keys.get(i);
            b.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                    .labels(Labels.of("key", k.printable(), "rank", Integer.toString(i + 1))).value(value.applyAsDouble(k)).build());
        }
        return b.build();
    }
}
