package io.kvstore.proxy.metrics;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.session.HoldStats;
import io.kvstore.proxy.session.ProxyContext;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The proxy's events as Prometheus metrics: backend connection lives per server (connects,
 * connect failures, losses, stalls, connections open now), migration holds (count, timeouts,
 * time), failovers seen in the slot maps and clients' protocol errors by kind. Read at scrape
 * time from {@link ProxyContext}; stateless; called on the metrics thread.
 */
final class EventCollector implements MultiCollector {

    private final ProxyContext proxy;

    EventCollector(ProxyContext proxy) {
        this.proxy = proxy;
    }

    @Override
    public MetricSnapshots collect() {
        List<MetricSnapshot> out = new ArrayList<>();
        Map<String, String> groupOf = groups();
        Map<String, long[]> events = new TreeMap<>();
        proxy.stats().backendEvents().forEach((server, e) -> events.put(server.toString(), e));
        out.add(perServer(counter("kvstore_backend_connects", "Connections made to a backend server (the first and every reconnect)"),
                events, groupOf, 0));
        out.add(perServer(counter("kvstore_backend_connect_failures", "Connects to a backend server that failed"), events, groupOf, 1));
        out.add(perServer(counter("kvstore_backend_connections_lost", "Connections to a backend server that closed or failed"),
                events, groupOf, 2));
        out.add(perServer(counter("kvstore_backend_stalls", "Connections closed because the server sent no reply for --backend-stall-ms"),
                events, groupOf, 3));
        GaugeSnapshot.Builder open = GaugeSnapshot.builder().name("kvstore_backend_connections_open")
                .help("Shared connections to a backend server open now (connects minus losses)");
        events.forEach((server, e) -> open.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                .labels(Labels.of("group", groupOf.getOrDefault(server, "none"), "server", server)).value(e[0] - e[2]).build()));
        out.add(open.build());
        HoldStats.Figures holds = proxy.holdFigures();
        out.add(single(counter("kvstore_migration_holds", "Requests held on a slot frozen by a migration step"), holds.holds()));
        out.add(single(counter("kvstore_migration_hold_timeouts", "Held requests answered -TRYAGAIN after --migration-hold-ms"),
                holds.timeouts()));
        out.add(single(counter("kvstore_migration_hold_seconds", "Time requests spent held, summed"), holds.totalMillis() / 1000.0));
        out.add(GaugeSnapshot.builder().name("kvstore_migration_hold_max_seconds").help("The longest hold since start")
                .dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder().value(holds.maxMillis() / 1000.0).build()).build());
        out.add(single(counter("kvstore_failovers_seen", "Group masters that changed in the slot maps this proxy installed"),
                proxy.cluster().failoversSeen()));
        CounterSnapshot.Builder protocol = counter("kvstore_protocol_errors", "Clients' requests that were not RESP, by kind");
        proxy.stats().protocolErrors().forEach((kind, n) -> protocol.dataPoint(
                CounterSnapshot.CounterDataPointSnapshot.builder().labels(Labels.of("kind", kind)).value(n).build()));
        out.add(protocol.build());
        return new MetricSnapshots(out);
    }

    /** Server address to group id, for the servers of the current map (masters and replicas). */
    private Map<String, String> groups() {
        Map<String, String> out = new HashMap<>();
        for (Group g : proxy.cluster().map().groups()) {
            out.put(g.master().toString(), g.id());
            for (HostPort r : g.replicas()) {
                out.put(r.toString(), g.id());
            }
        }
        return out;
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterSnapshot perServer(CounterSnapshot.Builder b, Map<String, long[]> events, Map<String, String> groupOf,
                                             int index) {
        events.forEach((server, e) -> b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                .labels(Labels.of("group", groupOf.getOrDefault(server, "none"), "server", server)).value(e[index]).build()));
        return b.build();
    }

    private static CounterSnapshot single(CounterSnapshot.Builder b, double value) {
        return b.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder().value(value).build()).build();
    }
}
