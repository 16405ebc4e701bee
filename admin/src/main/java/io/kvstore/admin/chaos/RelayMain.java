package io.kvstore.admin.chaos;

import io.kvstore.config.HostPort;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs {@link FaultyRelay}s from the tarball's {@code lib/}, switched through {@link RelayControl}:
 *
 * <pre>java -cp 'lib/*' io.kvstore.admin.chaos.RelayMain --control PORT --route LISTEN=HOST:PORT [--route ...]</pre>
 *
 * Each {@code --route} is a relay on 127.0.0.1:LISTEN in front of HOST:PORT, with no fault until
 * one is switched on. Prints one line per relay, then {@code relay: ready}, and each change; runs
 * until it is killed (TERM closes every relay). Exit 2 on a usage error, 1 when a port cannot be bound.
 *
 * <p>Threads: the main thread starts everything and then waits for the shutdown hook.
 */
public final class RelayMain {

    private RelayMain() {
    }

    public static void main(String[] args) throws Exception {
        Map<Integer, HostPort> routes = new LinkedHashMap<>();
        int control = -1;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--control" -> control = port(args[++i]);
                    case "--route" -> {
                        String r = args[++i];
                        int eq = r.indexOf('=');
                        if (eq < 0) {
                            throw new IllegalArgumentException("--route LISTEN=HOST:PORT, not '" + r + "'");
                        }
                        routes.put(port(r.substring(0, eq)), HostPort.parse(r.substring(eq + 1)));
                    }
                    default -> throw new IllegalArgumentException("unknown option '" + args[i] + "'");
                }
            }
            if (control < 0 || routes.isEmpty()) {
                throw new IllegalArgumentException("--control PORT and at least one --route LISTEN=HOST:PORT are needed");
            }
        } catch (RuntimeException e) { // a bad number, a missing value, a bad address
            System.err.println("relay: " + e.getMessage());
            System.err.println("usage: RelayMain --control PORT --route LISTEN=HOST:PORT [--route ...]");
            System.exit(2);
            return;
        }
        Map<Integer, FaultyRelay> relays = new LinkedHashMap<>();
        RelayControl ctl;
        try {
            for (Map.Entry<Integer, HostPort> e : routes.entrySet()) {
                relays.put(e.getKey(), FaultyRelay.start(e.getKey(), e.getValue()));
                System.out.println("relay: 127.0.0.1:" + e.getKey() + " -> " + e.getValue());
            }
            ctl = RelayControl.start(relays, control, line -> System.out.println("relay: " + Instant.now() + " " + line));
        } catch (Exception e) { // a port in use
            System.err.println("relay: " + e);
            relays.values().forEach(FaultyRelay::close);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                ctl.close();
            } catch (Exception ignored) {
                // closing anyway
            }
            relays.values().forEach(FaultyRelay::close);
            stopped.countDown();
        }));
        System.out.println("relay: ready, control on 127.0.0.1:" + ctl.port());
        stopped.await();
    }

    private static int port(String s) {
        int p = Integer.parseInt(s);
        if (p < 1 || p > 65535) {
            throw new IllegalArgumentException("not a port: " + s);
        }
        return p;
    }
}
