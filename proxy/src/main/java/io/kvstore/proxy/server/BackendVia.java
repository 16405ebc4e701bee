package io.kvstore.proxy.server;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.health.DialingProber;
import io.kvstore.proxy.health.HealthMonitor;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * {@code --backend-via SERVER=VIA}: this proxy reaches SERVER (as the topology names it) by
 * connecting to VIA instead (a relay, a tunnel, a port forward), for its requests and its health
 * checks; everything else (routing, errors, logs, its votes) keeps SERVER's name. Immutable; the
 * dial function is pure and safe on event loops.
 */
final class BackendVia {

    private BackendVia() {
    }

    /** The dial function of {@code specs} ("HOST:PORT=HOST:PORT" each); the identity when empty. */
    static UnaryOperator<HostPort> parse(List<String> specs) {
        Map<HostPort, HostPort> via = new HashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException("--backend-via: SERVER=VIA (HOST:PORT=HOST:PORT), not '" + spec + "'");
            }
            via.put(HostPort.parse(spec.substring(0, eq).trim()), HostPort.parse(spec.substring(eq + 1).trim()));
        }
        if (via.isEmpty()) {
            return UnaryOperator.identity();
        }
        Map<HostPort, HostPort> fixed = Map.copyOf(via);
        return a -> fixed.getOrDefault(a, a);
    }

    /** The health checks through the same addresses, or null (the default PING checks) without {@code specs}. */
    static HealthMonitor.Prober prober(List<String> specs, BackendAuth auth, int timeoutMs) {
        return specs.isEmpty() ? null : new DialingProber(HealthMonitor.pinger(auth, timeoutMs), parse(specs));
    }
}
