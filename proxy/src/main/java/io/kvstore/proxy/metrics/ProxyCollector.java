package io.kvstore.proxy.metrics;

import io.kvstore.config.Group;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.session.ProxyContext;
import io.kvstore.proxy.stats.ErrorKind;
import io.kvstore.proxy.stats.Figures;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * The proxy's figures as Prometheus metrics, read at scrape time from {@link ProxyContext} (the
 * per-loop recorders merged on read): requests, failures, refusals and latency per command class
 * (the command table's kind), backend time and errors per group, error replies by kind, clients,
 * slot-map epoch and readiness. Latencies are summaries with the quantiles Redis shows (p50, p99,
 * p99.9), taken from the HdrHistograms. Stateless; called on the metrics thread.
 */
final class ProxyCollector implements MultiCollector {

    private static final double[] QUANTILES = {0.5, 0.99, 0.999};
    private static final double NANOS_PER_SECOND = 1e9;

    private final ProxyContext proxy;

    ProxyCollector(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        Map<String, Figures> classes = byClass(proxy.stats().commands());
        out.add(counter("kvstore_requests", "Commands answered, per command class", "command_class", classes, Figures::calls));
        out.add(counter("kvstore_request_failures", "Commands answered with an error, per command class", "command_class",
                classes, Figures::failed));
        out.add(counter("kvstore_request_rejections", "Commands the proxy refused without running them, per command class",
                "command_class", classes, Figures::rejected));
        out.add(summary("kvstore_request_latency_seconds", "Time in the proxy: request read to reply written",
                "command_class", classes));
        Map<String, Figures> groups = new TreeMap<>();
        proxy.stats().groups(proxy.cluster().map()).forEach((Group g, Figures f) -> groups.put(g.id(), f));
        out.add(counter("kvstore_backend_requests", "Requests answered by each group's master", "group", groups, Figures::calls));
        out.add(counter("kvstore_backend_errors", "Error replies and failed requests (connection lost, unavailable) per group",
                "group", groups, Figures::failed));
        out.add(summary("kvstore_backend_latency_seconds", "Backend time: request written to reply read", "group", groups));
        CounterSnapshot.Builder errors = CounterSnapshot.builder().name("kvstore_errors")
                .help("Error replies to clients by kind (the error's first word)");
        proxy.stats().errors().forEach((ErrorKind k, Long n) -> errors.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("kind", k.label())).value(n).build()));
        out.add(errors.build());
        out.add(gauge("kvstore_connected_clients", "Client connections", proxy.connectedClients().get()));
        out.add(gauge("kvstore_slot_map_epoch", "Epoch of the slot map the proxy routes by", proxy.cluster().map().epoch()));
        out.add(gauge("kvstore_ready", "1 when the proxy serves keys (slot map applied, not fenced)",
                proxy.cluster().fence() == null ? 1 : 0));
        return new MetricSnapshots(out);
    }

    /** Commands' figures summed per command class. */
    private Map<String, Figures> byClass(List<Figures> commands) {
        Map<String, Figures> out = new TreeMap<>();
        for (Figures f : commands) {
            CommandSpec spec = proxy.commands().get(f.name());
            String kind = spec == null ? "unknown" : spec.kind().name().toLowerCase(Locale.ROOT);
            out.merge(kind, f, ProxyCollector::sum);
        }
        return out;
    }

    private static Figures sum(Figures a, Figures b) {
        Histogram h = a.histogram().copy();
        h.add(b.histogram());
        return new Figures(a.name(), a.calls() + b.calls(), a.sumNanos() + b.sumNanos(), a.failed() + b.failed(),
                a.rejected() + b.rejected(), h);
    }

    private static CounterSnapshot counter(String name, String help, String label, Map<String, Figures> figures,
                                           java.util.function.ToLongFunction<Figures> value) {
        CounterSnapshot.Builder b = CounterSnapshot.builder().name(name).help(help);
        figures.forEach((k, f) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of(label, k)).value(value.applyAsLong(f)).build()));
        return b.build();
    }

    private static SummarySnapshot summary(String name, String help, String label, Map<String, Figures> figures) {
        SummarySnapshot.Builder b = SummarySnapshot.builder().name(name).help(help);
        figures.forEach((k, f) -> {
            Quantiles.Builder q = Quantiles.builder();
            for (double quantile : QUANTILES) {
                q.quantile(new Quantile(quantile, f.histogram().getValueAtPercentile(quantile * 100) / NANOS_PER_SECOND));
            }
            b.dataPoint(SummarySnapshot.SummaryDataPointSnapshot.builder().labels(Labels.of(label, k))
                    .count(f.histogram().getTotalCount()).sum(f.sumNanos() / NANOS_PER_SECOND).quantiles(q.build()).build());
        });
        return b.build();
    }

    private static GaugeSnapshot gauge(String name, String help, double value) {
        return GaugeSnapshot.builder().name(name).help(help)
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).build()).build();
    }
}
