package io.kvstore.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A TCP endpoint, {@code host:port}. Immutable value; any thread.
 *
 * <p>Invariant: host is non-empty, port is in 0..65535; port 0 only makes sense for a listening
 * address, where it asks the system for any free port (tests use it).
 */
public record HostPort(String host, int port) {

    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** Parses {@code host:port}; an IPv6 host is written in brackets, {@code [::1]:6379}. */
    public static HostPort parse(String text) {
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) {
            throw new IllegalArgumentException("expected host:port, got '" + text + "'");
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad port in '" + text + "'");
        }
        return new HostPort(host, port);
    }

    /** Parses a comma-separated list of {@code host:port}; blanks between commas are skipped. */
    public static List<HostPort> parseList(String text) {
        List<HostPort> out = new ArrayList<>();
        for (String part : text.split(",")) {
            if (!part.isBlank()) {
                out.add(parse(part));
            }
        }
        return List.copyOf(out);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
