package io.kvstore.config.store;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The rules every {@link Topology} obeys, checked when one is made (read back or changed), and
 * the rule a change that gives slots away must respect. Stateless; any thread.
 *
 * <p>Invariant it enforces: names match {@link #NAME}; the epoch is at least 1; one state per
 * group; no address is listed twice in the whole cluster (as master or replica) and none has port
 * 0. Slot coverage is the {@link SlotMap}'s and {@link SlotRanges}' to check.
 */
final class TopologyInvariants {

    /** Cluster names and group ids: letters, digits, {@code _ . -}, 1 to 64 characters, no leading dot or dash. */
    static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}");

    private TopologyInvariants() {
    }

    /** Checks a cluster name or group id against {@link #NAME}; returns it. */
    static String checkName(String what, String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("bad " + what + " '" + name
                    + "': use 1 to 64 letters, digits, '_', '.' or '-', not starting with '.' or '-'");
        }
        return name;
    }

    /** Throws {@link IllegalArgumentException} unless {@code slots} and {@code states} make a valid topology. */
    static void check(SlotMap slots, List<GroupState> states) {
        if (slots.epoch() < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + slots.epoch());
        }
        if (states.size() != slots.groups().size()) {
            throw new IllegalArgumentException("one state per group is needed");
        }
        Map<HostPort, String> seen = new HashMap<>();
        for (Group g : slots.groups()) {
            checkName("group id", g.id());
            claim(seen, g.master(), "master of " + g.id());
            for (HostPort r : g.replicas()) {
                claim(seen, r, "replica of " + g.id());
            }
        }
    }

    private static void claim(Map<HostPort, String> seen, HostPort address, String role) {
        if (address.port() == 0) {
            throw new IllegalArgumentException("address " + address + " (" + role + "): a redis-server needs a real port, not 0");
        }
        String before = seen.putIfAbsent(address, role);
        if (before != null) {
            throw new IllegalArgumentException("address " + address + " is listed twice: " + before + " and " + role);
        }
    }

    /** Slots may not be given to a group whose master is failed or down: {@link StoreException.Conflict} then. */
    static void requireServing(Topology t, int g) {
        GroupState st = t.states().get(g);
        if (st.refusesClients()) {
            throw new StoreException.Conflict("group " + t.groups().get(g).id() + " is " + st + " (its master is not serving);"
                    + " it can be given slots once it is back and active (see doc/failover.md)");
        }
    }
}
