package io.kvstore.proxy.server;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.acl.Users;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * Redis's protected mode at start: a proxy that would listen on an address other than loopback
 * while the default user needs no password (anyone who reaches it is in) refuses to start, unless
 * {@code --protected-mode no}. Stateless; used once on the main thread.
 */
final class ProtectedMode {

    private ProtectedMode() {
    }

    /** {@code yes} or {@code no}, as Redis writes it. */
    static boolean parse(String text) {
        return switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new IllegalArgumentException("--protected-mode must be yes or no, not '" + text + "'");
        };
    }

    /**
     * Throws, saying what to do, when {@code address} is not loopback and {@code users} lets a
     * client in without a password; {@code option} names where the address came from.
     */
    static void check(String option, HostPort address, Users users) {
        if (!users.defaultAuthenticates() || loopback(address.host())) {
            return;
        }
        throw new IllegalArgumentException("refusing to listen on " + address + " (" + option + ") while the default user "
                + "needs no password (protected mode, as Redis's): give --password or users with passwords and "
                + "'default off', listen on 127.0.0.1, or start with --protected-mode no");
    }

    private static boolean loopback(String host) {
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false; // cannot tell: protect
        }
    }
}
