package io.kvstore.admin.command;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.ServerConfig;
import io.kvstore.config.store.BackendConfig;
import io.kvstore.config.store.BackendConfigChange;
import io.kvstore.config.store.Topology;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The servers whose value of a recorded cluster-wide parameter differs from the recorded one, for
 * {@code kvstore-admin status}. Stateless; blocking (one CONFIG GET round per server). A server
 * that cannot be reached is not listed: status reports it down already.
 */
final class ConfigDrift {

    private ConfigDrift() {
    }

    /** One line per server and parameter that differs: {@code config drift: H:P param value (recorded V)}. */
    static List<String> of(Topology t, BackendConfig recorded, BackendAuth auth) {
        List<String> out = new ArrayList<>();
        if (recorded.params().isEmpty()) {
            return out;
        }
        for (HostPort s : BackendConfigChange.servers(t)) {
            Map<String, String> now;
            try {
                now = ServerConfig.get(s, auth, recorded.params().keySet());
            } catch (IOException unreachable) {
                continue;
            }
            recorded.params().forEach((p, v) -> {
                String actual = now.get(p);
                if (!v.equals(actual)) {
                    out.add("config drift: " + s + " " + p + " " + (actual == null ? "(unknown parameter)" : actual)
                            + " (recorded " + v + ")");
                }
            });
        }
        return out;
    }
}
