package io.kvstore.admin.chaos;

import java.io.IOException;
import java.util.function.BiConsumer;

/**
 * One checker thread's connection to a proxy: opened on demand, and on any failure closed and
 * moved to the next proxy, so a killed proxy costs its clients a reconnect, not the run. One
 * thread only.
 */
final class Link {

    private final int[] ports;
    private final int timeoutMs;
    private final BiConsumer<String, Object> errors;
    private final String who;
    private int endpoint;
    private CheckerConn conn;

    /** {@code errors} receives (who and where, the failure) for the checker's error report. */
    Link(int[] ports, int timeoutMs, BiConsumer<String, Object> errors, String who, int first) {
        this.ports = ports;
        this.timeoutMs = timeoutMs;
        this.errors = errors;
        this.who = who;
        this.endpoint = first % ports.length;
    }

    /** The open connection, or null when connecting failed (reported; the next call tries the next proxy). */
    CheckerConn conn() {
        if (conn == null) {
            try {
                conn = new CheckerConn(ports[endpoint], timeoutMs);
            } catch (IOException e) {
                errors.accept(who + " connecting to " + ports[endpoint], e);
                endpoint = (endpoint + 1) % ports.length;
                try {
                    Thread.sleep(50);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
        }
        return conn;
    }

    int port() {
        return ports[endpoint];
    }

    /** The connection broke: close it and go to the next proxy. */
    void failed() {
        conn.close();
        conn = null;
        endpoint = (endpoint + 1) % ports.length;
    }

    void close() {
        if (conn != null) {
            conn.close();
        }
    }
}
