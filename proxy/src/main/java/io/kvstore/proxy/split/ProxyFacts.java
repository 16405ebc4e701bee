package io.kvstore.proxy.split;

/**
 * What INFO says about the proxy itself where a backend's value would name that backend
 * (process, port, run id, uptime, its clients), and the proxy's own {@code # Proxy} section
 * (empty when the INFO sections asked leave it out). Immutable; built per INFO request.
 */
public record ProxyFacts(long pid, String runId, int port, String executable, long uptimeSeconds,
                         long connectedClients, long maxClients, String proxySection) {

    /** The value of an INFO field whose rule is {@link InfoRules.Rule#PROXY}. */
    String field(String name) {
        return switch (name) {
            case "process_id" -> Long.toString(pid);
            case "run_id", "master_replid" -> runId;
            case "master_replid2" -> "0".repeat(40);
            case "tcp_port" -> Integer.toString(port);
            case "executable" -> executable;
            case "config_file" -> ""; // the proxy reads its options, not a redis.conf
            case "uptime_in_seconds" -> Long.toString(uptimeSeconds);
            case "uptime_in_days" -> Long.toString(uptimeSeconds / 86400);
            case "server_time_usec" -> Long.toString(System.currentTimeMillis() * 1000);
            case "connected_clients" -> Long.toString(connectedClients);
            case "maxclients" -> Long.toString(maxClients);
            default -> throw new IllegalArgumentException("no proxy value for INFO field " + name);
        };
    }
}
