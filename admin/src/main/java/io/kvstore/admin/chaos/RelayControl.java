package io.kvstore.admin.chaos;

import io.kvstore.admin.chaos.FaultyRelay.Direction;
import io.kvstore.admin.chaos.FaultyRelay.Faults;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The control interface of a set of {@link FaultyRelay}s: one text line in, one line out, on a
 * 127.0.0.1 TCP port (so that a shell script can switch faults with {@code /dev/tcp} while traffic
 * flows). A line names a relay by its listening port, or {@code all}, then a fault:
 *
 * <pre>
 *   PORT|all latency MS                     add MS to every chunk, both directions (0: none)
 *   PORT|all bandwidth BYTES-PER-SECOND     each direction at most this fast (0: no limit)
 *   PORT|all stall on|off                   hold every byte until off (a partition that heals)
 *   PORT|all blackhole to-server|to-client|both on|off   drop that direction's bytes for good
 *   PORT|all reset                          RST every open connection (new ones are accepted)
 *   PORT|all heal                           no fault any more; held bytes go
 *   PORT|all status                         the faults and the connections
 * </pre>
 *
 * The answer is {@code OK ...} or {@code ERR ...} (a bad line changes nothing).
 *
 * <p>Threads: one daemon thread accepts and serves one control connection at a time (a script
 * sends a line or two); the relays are safe to switch from any thread. The relay map never changes.
 */
public final class RelayControl implements AutoCloseable {

    private final Map<Integer, FaultyRelay> relays;
    private final ServerSocket socket;
    private final Consumer<String> log;

    private RelayControl(Map<Integer, FaultyRelay> relays, ServerSocket socket, Consumer<String> log) {
        this.relays = relays;
        this.socket = socket;
        this.log = log;
    }

    /** Serves {@code relays} (by listening port) on 127.0.0.1:{@code port} (0: a free one), logging each change to {@code log}. */
    public static RelayControl start(Map<Integer, FaultyRelay> relays, int port, Consumer<String> log) throws IOException {
        ServerSocket s = new ServerSocket(port, 8, InetAddress.getLoopbackAddress());
        RelayControl c = new RelayControl(Map.copyOf(relays), s, log);
        Thread t = new Thread(c::serve, "relay-control");
        t.setDaemon(true);
        t.start();
        return c;
    }

    public int port() {
        return socket.getLocalPort();
    }

    private void serve() {
        while (!socket.isClosed()) {
            try (Socket s = socket.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                s.setSoTimeout(10_000); // a script that connects and says nothing does not block the next
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    String answer = apply(line);
                    if (!line.endsWith(" status")) {
                        log.accept(line + " -> " + answer);
                    }
                    out.println(answer);
                }
            } catch (IOException e) {
                // the control connection broke, or the socket closed: serve the next one
            }
        }
    }

    /** Applies one control line; returns the answer. Any thread. */
    public String apply(String line) {
        String[] w = line.trim().split("\\s+");
        if (w.length < 2) {
            return "ERR expected: PORT|all FAULT [ARG...]";
        }
        List<FaultyRelay> targets;
        if (w[0].equals("all")) {
            targets = List.copyOf(relays.values());
        } else {
            FaultyRelay r = w[0].matches("\\d{1,5}") ? relays.get(Integer.parseInt(w[0])) : null;
            if (r == null) {
                return "ERR no relay listens on '" + w[0] + "'; relays: " + relays.keySet();
            }
            targets = List.of(r);
        }
        try {
            StringBuilder answer = new StringBuilder("OK");
            for (FaultyRelay r : targets) {
                applyTo(r, w);
                answer.append(' ').append(r.address().port()).append("->").append(r.target()).append(' ')
                        .append(r.faults()).append(" connections=").append(r.connections());
            }
            return answer.toString();
        } catch (IllegalArgumentException e) {
            return "ERR " + e.getMessage();
        }
    }

    private static void applyTo(FaultyRelay r, String[] w) {
        switch (w[1]) {
            case "latency" -> r.latency(number(w, 2));
            case "bandwidth" -> r.bandwidth(number(w, 2));
            case "stall" -> r.stall(onOff(w, 2));
            case "blackhole" -> {
                String d = arg(w, 2);
                boolean on = onOff(w, 3);
                switch (d) {
                    case "to-server" -> r.blackHole(Direction.TO_SERVER, on);
                    case "to-client" -> r.blackHole(Direction.TO_CLIENT, on);
                    case "both" -> r.blackHole(Direction.TO_SERVER, on).blackHole(Direction.TO_CLIENT, on);
                    default -> throw new IllegalArgumentException("blackhole: to-server, to-client or both, not '" + d + "'");
                }
            }
            case "reset" -> r.resetAll();
            case "heal" -> r.set(Faults.NONE);
            case "status" -> { }
            default -> throw new IllegalArgumentException("no fault '" + w[1] + "' (latency, bandwidth, stall, blackhole, reset, heal, status)");
        }
    }

    private static String arg(String[] w, int i) {
        if (i >= w.length) {
            throw new IllegalArgumentException(w[1] + ": an argument is missing");
        }
        return w[i];
    }

    private static long number(String[] w, int i) {
        String a = arg(w, i);
        if (!a.matches("\\d{1,12}")) {
            throw new IllegalArgumentException(w[1] + ": a number from 0, not '" + a + "'");
        }
        return Long.parseLong(a);
    }

    private static boolean onOff(String[] w, int i) {
        return switch (arg(w, i)) {
            case "on" -> true;
            case "off" -> false;
            default -> throw new IllegalArgumentException(w[1] + ": on or off, not '" + w[i] + "'");
        };
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
