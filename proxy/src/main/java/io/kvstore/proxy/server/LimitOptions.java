package io.kvstore.proxy.server;

import io.kvstore.proxy.resp.FramerLimits;
import io.kvstore.proxy.session.ClientLimits;
import picocli.CommandLine.Option;

/**
 * The proxy's limits on what one client may send and hold (sizes of a request, requests in flight,
 * connections, unread replies); a picocli mixin of {@link ProxyMain}, so the YAML file and the
 * environment give them as every option. Main thread only.
 */
final class LimitOptions {

    @Option(names = "--max-bulk-length", defaultValue = "536870912", description = "Largest argument in bytes; also the largest "
            + "bulk reply and the most elements of one reply a redis-server may send (default: ${DEFAULT-VALUE}).")
    long maxBulkLength;

    @Option(names = "--max-multibulk-length", defaultValue = "1048576", description = "Most arguments per command (default: ${DEFAULT-VALUE}).")
    int maxMultibulkLength;

    @Option(names = "--max-inline-length", defaultValue = "65536", description = "Longest inline command (default: ${DEFAULT-VALUE}).")
    int maxInlineLength;

    @Option(names = "--max-pending", defaultValue = "4096",
            description = "Requests per client in flight before the proxy stops reading it (default: ${DEFAULT-VALUE}).")
    int maxPending;

    @Option(names = "--max-requests-in-flight", defaultValue = "" + ClientLimits.DEFAULT_MAX_IN_FLIGHT,
            description = "Requests of all clients together read and not yet answered, split evenly over the worker threads; a thread whose share is used up "
                    + "stops reading the client that used it up until half is answered, so a stalled backend with many pipelining clients cannot exhaust "
                    + "the heap. Size it at about 270 B of heap per pending GET plus its request bytes (off-heap); 0 = no bound (default: ${DEFAULT-VALUE}).")
    int maxRequestsInFlight;

    @Option(names = "--max-clients", defaultValue = "10000", description = "Client connections at once (default: ${DEFAULT-VALUE}).")
    int maxClients;

    @Option(names = "--migration-hold-ms", defaultValue = "" + ClientLimits.DEFAULT_HOLD_MILLIS,
            description = "How long a command on a slot frozen at the start of a migration step waits before -TRYAGAIN (default: ${DEFAULT-VALUE}).")
    long migrationHoldMs;

    @Option(names = "--max-output-buffer", defaultValue = "67108864",
            description = "Unread reply bytes after which a client is disconnected (default: ${DEFAULT-VALUE}, 64 MB: "
                    + "a few clients that stop reading must not exhaust the proxy's direct memory).")
    long maxOutputBuffer;

    /** The limits as the server takes them. */
    ClientLimits value() {
        return new ClientLimits(new FramerLimits(maxBulkLength, maxMultibulkLength, maxInlineLength),
                maxPending, maxClients, maxOutputBuffer, migrationHoldMs, maxRequestsInFlight);
    }
}
