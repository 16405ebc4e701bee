package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * After a promotion: every other replica of the group is told to follow the new master, each
 * after a leadership check. A replica that cannot be reached now is not waited for: replica
 * reconciliation repoints it when it is back. Stateless; the controller's thread.
 */
final class Repoint {

    private static final Logger LOG = LoggerFactory.getLogger(Repoint.class);

    private Repoint() {
    }

    /** Makes the replicas of {@code g} but {@code to} follow {@code to}; returns them, in the group's order. */
    static List<HostPort> others(Tools tools, Group g, HostPort to) {
        List<HostPort> replicas = new ArrayList<>();
        for (HostPort a : g.replicas()) {
            if (a.equals(to)) {
                continue;
            }
            replicas.add(a);
            tools.leadership().check();
            try {
                tools.ops().follow(a, to);
            } catch (IOException e) {
                LOG.warn("replica {} does not follow {} yet ({}); it will when it is back", a, to, e.toString());
            }
        }
        return replicas;
    }
}
