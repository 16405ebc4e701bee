package io.kvstore.admin.redis;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Map;

/**
 * Looks at one redis-server the way an operator would: can we log in, what role does it have,
 * how many keys does it hold. Immutable; each {@link #probe} opens and closes its own
 * connection, so any thread may call it.
 */
public final class RedisProbe {

    /**
     * What a probe found.
     *
     * @param up         it answered PING
     * @param role       {@code master}, {@code slave} (a replica), or null when down
     * @param masterOf   for a replica: the master it follows, {@code host:port}; else null
     * @param linkUp     for a replica: its link to the master is up
     * @param keys       keys in the database probed (DBSIZE), or -1 when down
     * @param error      why it is down or could not be examined, or null
     */
    public record Health(HostPort address, boolean up, String role, String masterOf, boolean linkUp, long keys, String error) {

        static Health down(HostPort address, String error) {
            return new Health(address, false, null, null, false, -1, error);
        }

        public boolean isMaster() {
            return "master".equals(role);
        }
    }

    private final BackendAuth auth;
    private final int timeoutMs;

    public RedisProbe(BackendAuth auth, int timeoutMs) {
        this.auth = auth == null ? BackendAuth.NONE : auth;
        this.timeoutMs = timeoutMs;
    }

    public Health probe(HostPort address) {
        try (RespClient c = RespClient.connect(address, auth, timeoutMs)) {
            c.call("PING");
            Map<String, String> info = c.info("replication");
            String role = info.getOrDefault("role", "unknown");
            String masterOf = null;
            boolean linkUp = false;
            if ("slave".equals(role)) {
                masterOf = info.get("master_host") + ":" + info.get("master_port");
                linkUp = "up".equals(info.get("master_link_status"));
            }
            long keys = (Long) c.call("DBSIZE");
            return new Health(address, true, role, masterOf, linkUp, keys, null);
        } catch (ConnectException e) {
            return Health.down(address, "connection refused: is redis-server running on " + address + "?");
        } catch (SocketTimeoutException e) {
            return Health.down(address, "no answer within " + timeoutMs + " ms");
        } catch (RespClient.RedisError e) {
            return Health.down(address, "refused: " + e.getMessage());
        } catch (IOException | RuntimeException e) {
            return Health.down(address, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
        }
    }
}
