package io.kvstore.proxy.health;

import io.kvstore.config.HostPort;
import java.util.function.UnaryOperator;

/**
 * Health checks that reach each server where {@code dial} says (a relay, a tunnel) and report the
 * verdict under the server's own address, so that it still counts as a vote on that server in the
 * quorum: what this proxy sees on its path to the server is what it votes. Immutable; called on
 * the health monitor's thread only, as the prober it wraps.
 */
public final class DialingProber implements HealthMonitor.Prober {

    private final HealthMonitor.Prober real;
    private final UnaryOperator<HostPort> dial;

    public DialingProber(HealthMonitor.Prober real, UnaryOperator<HostPort> dial) {
        this.real = real;
        this.dial = dial;
    }

    @Override
    public String check(HostPort address) {
        return real.check(dial.apply(address));
    }

    @Override
    public void forget(HostPort address) {
        real.forget(dial.apply(address));
    }

    @Override
    public void close() {
        real.close();
    }
}
