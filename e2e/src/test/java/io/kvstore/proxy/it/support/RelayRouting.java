package io.kvstore.proxy.it.support;

import io.kvstore.admin.chaos.FaultyRelay;
import io.kvstore.config.HostPort;
import io.kvstore.proxy.health.DialingProber;
import io.kvstore.proxy.health.HealthMonitor;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;

/**
 * Points one in-process proxy at {@link FaultyRelay}s while the topology keeps naming the real
 * servers: its data path with {@code BackendOptions.dialing(dialer(...))}, its health checks with
 * {@link #probingThrough}, so that the PING goes through the relay and the verdict is published under
 * the real address (a vote on that server in the quorum; had the topology named the relay, the
 * partitioned proxy's vote would be about an address no other proxy checks, and a no-failover test
 * would pass however the quorum counted). Stateless.
 */
public final class RelayRouting {

    private RelayRouting() {
    }

    /** {@code address} replaced by the relay in front of it, if one of {@code relays} is. */
    public static UnaryOperator<HostPort> dialer(FaultyRelay... relays) {
        Map<HostPort, HostPort> via = new ConcurrentHashMap<>();
        for (FaultyRelay r : relays) {
            via.put(r.target(), r.address());
        }
        return a -> via.getOrDefault(a, a);
    }

    /** Health checks by {@code real} that reach each server where {@code dial} says, reported under the server's own address. */
    public static HealthMonitor.Prober probingThrough(HealthMonitor.Prober real, UnaryOperator<HostPort> dial) {
        return new DialingProber(real, dial);
    }
}
