package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.tracking.TrackingClient;
import io.kvstore.proxy.tracking.TrackingHub;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CLIENT TRACKING state of one client, and what it means for each of its requests: the keys a
 * read will be told about, the keys a NOLOOP write stops hearing about, and how an invalidation
 * reaches the client (a RESP3 {@code invalidate} push, or a {@code __redis__:invalidate} message to
 * the client named by REDIRECT), as Redis 7.0 does. The loop's {@link TrackingHub} keeps the
 * table of who read what. Confined to the client's event loop; an invalidation for a client of
 * another loop (REDIRECT) is handed to that loop.
 *
 * <p>Invariant: while {@code on}, this is registered with the hub of the client's loop; {@code
 * caching} (CLIENT CACHING) holds for the next command only.
 */
final class ClientTracking implements TrackingClient {

    private static final byte[] INVALIDATE = "invalidate".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] MESSAGE = "message".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] CHANNEL = "__redis__:invalidate".getBytes(StandardCharsets.US_ASCII);

    private final ClientSession session;
    private final ProxyContext proxy;
    private boolean on;
    private long redirect;
    private boolean bcast;
    private boolean optin;
    private boolean optout;
    private boolean noloop;
    private boolean caching;
    /** Whether CLIENT CACHING was given for the command being dispatched (it holds for that one only). */
    private boolean cachingNow;
    private List<byte[]> prefixes = List.of();

    ClientTracking(ClientSession session, ProxyContext proxy) {
        this.session = session;
        this.proxy = proxy;
    }

    boolean on() {
        return on;
    }

    /**
     * CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p]... [BCAST] [OPTIN] [OPTOUT] [NOLOOP], with
     * Redis's checks and error texts. Turning it on answers once the loop's sinks are ready, and
     * later requests of the client wait for that answer, so no read goes out untracked.
     */
    void command(Request request, PendingReply pending) {
        ByteBufAllocator alloc = session.alloc();
        long redir = 0;
        boolean wantBcast = false;
        boolean wantOptin = false;
        boolean wantOptout = false;
        boolean wantNoloop = false;
        List<byte[]> wantPrefixes = new ArrayList<>();
        for (int i = 3; i < request.argCount(); i++) {
            boolean more = i + 1 < request.argCount();
            if (request.argIs(i, "REDIRECT") && more) {
                redir = request.argLong(++i);
                if (redir == Long.MIN_VALUE) {
                    reply(request, pending, Replies.error(alloc, "ERR value is not an integer or out of range"));
                    return;
                }
                if (proxy.clients().byId(redir) == null) {
                    reply(request, pending, Replies.error(alloc, "ERR The client ID you want redirect to does not exist"));
                    return;
                }
            } else if (request.argIs(i, "BCAST")) {
                wantBcast = true;
            } else if (request.argIs(i, "OPTIN")) {
                wantOptin = true;
            } else if (request.argIs(i, "OPTOUT")) {
                wantOptout = true;
            } else if (request.argIs(i, "NOLOOP")) {
                wantNoloop = true;
            } else if (request.argIs(i, "PREFIX") && more) {
                wantPrefixes.add(request.argBytes(++i));
            } else {
                reply(request, pending, Replies.error(alloc, "ERR syntax error"));
                return;
            }
        }
        if (request.argIs(2, "OFF")) {
            off();
            reply(request, pending, Replies.ok());
            return;
        }
        if (!request.argIs(2, "ON")) {
            reply(request, pending, Replies.error(alloc, "ERR syntax error"));
            return;
        }
        String error = !wantBcast && !wantPrefixes.isEmpty() ? "PREFIX option requires BCAST mode to be enabled"
                : on && bcast != wantBcast ? "You can't switch BCAST mode on/off before disabling tracking for this client, "
                        + "and then re-enabling it with a different mode."
                : wantBcast && (wantOptin || wantOptout) ? "OPTIN and OPTOUT are not compatible with BCAST"
                : wantOptin && wantOptout ? "You can't specify both OPTIN mode and OPTOUT mode"
                : on && (wantOptin && optout || wantOptout && optin) ? "You can't switch OPTIN/OPTOUT mode before disabling "
                        + "tracking for this client, and then re-enabling it with a different mode."
                : overlapping(wantPrefixes);
        if (error != null) {
            reply(request, pending, Replies.error(alloc, "ERR " + error));
            return;
        }
        on = true;
        redirect = redir;
        bcast = wantBcast;
        optin = wantOptin;
        optout = wantOptout;
        noloop = wantNoloop;
        List<byte[]> all = new ArrayList<>(bcast ? prefixes : List.of());
        all.addAll(wantPrefixes);
        prefixes = List.copyOf(all);
        request.release();
        TrackingHub hub = session.worker().tracking();
        hub.enabled(this, bcast);
        session.holds().gated(pending);
        hub.prepare(proxy.cluster().map(), () -> {
            session.connections().tracking(true);
            pending.onReply(Replies.ok());
        });
    }

    /** Redis refuses a prefix of which another of the same client is a prefix, or that is one of another's. */
    private String overlapping(List<byte[]> wanted) {
        for (int i = 0; i < wanted.size(); i++) {
            for (byte[] existing : prefixes) {
                if (overlap(existing, wanted.get(i))) {
                    return "Prefix '" + text(wanted.get(i)) + "' overlaps with an existing prefix '" + text(existing)
                            + "'. Prefixes for a single client must not overlap.";
                }
            }
            for (int j = i + 1; j < wanted.size(); j++) {
                if (overlap(wanted.get(i), wanted.get(j))) {
                    return "Prefix '" + text(wanted.get(i)) + "' overlaps with another provided prefix '" + text(wanted.get(j))
                            + "'. Prefixes for a single client must not overlap.";
                }
            }
        }
        return null;
    }

    private static boolean overlap(byte[] a, byte[] b) {
        return startsWith(a, b) || startsWith(b, a);
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static boolean startsWith(byte[] s, byte[] prefix) {
        return s.length >= prefix.length && Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** Tracking off (CLIENT TRACKING off, RESET, the client closing). */
    void off() {
        if (on) {
            on = false;
            session.worker().tracking().disabled(this);
            session.connections().tracking(false);
        }
        redirect = 0;
        bcast = optin = optout = noloop = caching = cachingNow = false;
        prefixes = List.of();
    }

    /** CLIENT CACHING YES|NO. */
    ByteBuf caching(Request request, ByteBufAllocator alloc) {
        if (!on) {
            return Replies.error(alloc, "ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN "
                    + "or OPTOUT mode enabled");
        }
        if (request.argIs(2, "YES")) {
            if (!optin) {
                return Replies.error(alloc, "ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.");
            }
        } else if (request.argIs(2, "NO")) {
            if (!optout) {
                return Replies.error(alloc, "ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.");
            }
        } else {
            return Replies.error(alloc, "ERR syntax error");
        }
        caching = true;
        return Replies.ok();
    }

    /** CLIENT TRACKINGINFO: flags, redirect and prefixes, as Redis lists them. */
    ByteBuf info(ByteBufAllocator alloc, int protocol) {
        List<String> flags = new ArrayList<>();
        if (!on) {
            flags.add("off");
        } else {
            flags.add("on");
            if (bcast) {
                flags.add("bcast");
            }
            if (optin) {
                flags.add("optin");
                if (caching || cachingNow) {
                    flags.add("caching-yes");
                }
            }
            if (optout) {
                flags.add("optout");
                if (caching || cachingNow) {
                    flags.add("caching-no");
                }
            }
            if (noloop) {
                flags.add("noloop");
            }
            if (redirect > 0 && proxy.clients().byId(redirect) == null) {
                flags.add("broken_redirect");
            }
        }
        ByteBuf buf = alloc.buffer();
        RespWriter.writeMapHeader(buf, protocol, 3);
        RespWriter.writeBulk(buf, bytes("flags"));
        RespWriter.writeSetHeader(buf, protocol, flags.size());
        flags.forEach(f -> RespWriter.writeBulk(buf, bytes(f)));
        RespWriter.writeBulk(buf, bytes("redirect"));
        RespWriter.writeInteger(buf, getRedir());
        RespWriter.writeBulk(buf, bytes("prefixes"));
        RespWriter.writeArrayHeader(buf, prefixes.size());
        prefixes.forEach(p -> RespWriter.writeBulk(buf, p));
        return buf;
    }

    /** CLIENT GETREDIR: -1 when off, 0 when on without REDIRECT, else the client redirected to. */
    long getRedir() {
        return on ? redirect : -1;
    }

    /**
     * A request is being dispatched: remember the keys of a read the client wants tracked, forget
     * the keys of its own write under NOLOOP. CLIENT CACHING applies to this one command.
     */
    void beforeDispatch(CommandSpec spec, Request request, int[] keys) {
        if (spec.name().equals("client|caching")) {
            return;
        }
        cachingNow = caching;
        caching = false;
        boolean wanted = cachingNow ? optin : !optin;
        boolean read = spec.readOnly() && !bcast && wanted;
        boolean ownWrite = spec.write() && noloop;
        if (!read && !ownWrite) {
            return;
        }
        TrackingHub hub = session.worker().tracking();
        for (int k : keys) {
            if (read) {
                hub.remember(this, request.argBytes(k));
            } else {
                hub.forget(this, request.argBytes(k));
            }
        }
    }

    @Override
    public boolean broadcastMatches(byte[] key) {
        if (prefixes.isEmpty()) {
            return true;
        }
        for (byte[] p : prefixes) {
            if (startsWith(key, p)) {
                return true;
            }
        }
        return false;
    }

    /** Tells the client (or the client it redirects to) that {@code keys} changed; null: every key. */
    @Override
    public void invalidate(List<byte[]> keys) {
        if (redirect <= 0) {
            session.push(message(session.alloc(), session.protocol(), false, keys));
            return;
        }
        ClientSession target = proxy.clients().byId(redirect);
        if (target != null) {
            target.runOnLoop(() -> {
                boolean resp3 = target.protocol() == 3;
                if (resp3 || target.subscribed()) { // RESP2 can only carry it as a Pub/Sub message, as in Redis
                    target.push(message(target.alloc(), target.protocol(), !resp3, keys));
                }
            });
        }
    }

    /**
     * An invalidation as Redis sends it: {@code >2 invalidate [keys]} in RESP3, or
     * {@code message __redis__:invalidate [keys]} to a subscribed RESP2 client; a null key list
     * (flush) is the protocol's null.
     */
    static ByteBuf message(ByteBufAllocator alloc, int protocol, boolean asMessage, List<byte[]> keys) {
        ByteBuf buf = alloc.buffer();
        if (asMessage) {
            RespWriter.writeArrayHeader(buf, 3);
            RespWriter.writeBulk(buf, MESSAGE);
            RespWriter.writeBulk(buf, CHANNEL);
        } else {
            RespWriter.writePushHeader(buf, protocol, 2);
            RespWriter.writeBulk(buf, INVALIDATE);
        }
        if (keys == null) {
            RespWriter.writeNull(buf, protocol);
        } else {
            RespWriter.writeArrayHeader(buf, keys.size());
            keys.forEach(k -> RespWriter.writeBulk(buf, k));
        }
        return buf;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static void reply(Request request, PendingReply pending, ByteBuf reply) {
        request.release();
        pending.onReply(reply);
    }
}
