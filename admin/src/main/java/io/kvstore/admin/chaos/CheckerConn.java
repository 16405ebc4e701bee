package io.kvstore.admin.chaos;

import io.kvstore.config.HostPort;
import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The checker's connection to one proxy: config's blocking {@link RespClient}, with error replies
 * handed back as {@link RespError} values instead of thrown, because for the checker a refused
 * command (-TRYAGAIN, -CLUSTERDOWN ...) is an answer to count, while an {@link IOException} is a
 * lost connection to replace. One thread only.
 */
final class CheckerConn implements AutoCloseable {

    /** An error reply, as a value. */
    record RespError(String message) { }

    private final RespClient client;

    CheckerConn(int port, int timeoutMs) throws IOException {
        client = RespClient.connect(new HostPort("127.0.0.1", port), timeoutMs);
    }

    /** One command and its reply; bulk strings as UTF-8 text, errors (also inside an array) as {@link RespError}. */
    Object call(String... args) throws IOException {
        try {
            return errorsAsValues(client.call(args));
        } catch (RespClient.RedisError e) {
            return new RespError(e.getMessage());
        }
    }

    private static Object errorsAsValues(Object reply) {
        if (reply instanceof RespClient.RedisError e) {
            return new RespError(e.getMessage());
        }
        if (reply instanceof List<?> items) {
            List<Object> out = new ArrayList<>(items.size());
            for (Object item : items) {
                out.add(errorsAsValues(item));
            }
            return out;
        }
        return reply;
    }

    @Override
    public void close() {
        client.close();
    }
}
