package io.kvstore.proxy.it.support;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

/**
 * A Lettuce client of one proxy with small thread pools (the machines have two cores) and a
 * quick shutdown. Close it to stop its threads; its connections close with it.
 */
public final class Lettuce implements AutoCloseable {

    private final ClientResources resources;
    private final RedisClient client;

    private Lettuce(ClientResources resources, RedisClient client) {
        this.resources = resources;
        this.client = client;
    }

    /** A client of 127.0.0.1:{@code port} with Lettuce's default options (protocol auto-negotiated). */
    public static Lettuce of(int port) {
        return of(port, UnaryOperator.identity());
    }

    /** A client of 127.0.0.1:{@code port} with {@code options} applied to the test defaults. */
    public static Lettuce of(int port, UnaryOperator<ClientOptions.Builder> options) {
        ClientResources resources = DefaultClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .build();
        RedisURI uri = RedisURI.builder().withHost("127.0.0.1").withPort(port)
                .withTimeout(Duration.ofSeconds(60)).build();
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(options.apply(ClientOptions.builder()
                .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(10)).build())).build());
        return new Lettuce(resources, client);
    }

    public RedisClient client() {
        return client;
    }

    public StatefulRedisConnection<String, String> connect() {
        return client.connect();
    }

    @Override
    public void close() {
        try {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(5));
        } finally {
            resources.shutdown(0, 5, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }
}
