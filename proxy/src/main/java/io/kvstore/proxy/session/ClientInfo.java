package io.kvstore.proxy.session;

import io.kvstore.proxy.resp.RequestFramer;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.UnixChannel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * What CLIENT LIST and CLIENT INFO tell about one client beyond its session's own state: its name,
 * when it connected, when it last sent a command and which, and its framer's buffer; and the line itself.
 * Kept apart from {@link ClientSession} so the session reads as frame, dispatch, reply.
 *
 * <p>Written only on the client's event loop; {@link #describe} and {@link #lastCommandMillis} are
 * read from any loop (CLIENT LIST runs on the caller's), so the figures they see may be a moment
 * old. {@code lastCommand} is a command spec's name: no String is made per request.
 */
final class ClientInfo {

    private final long createdMillis = System.currentTimeMillis();
    private long lastCommandMillis = createdMillis;
    private String lastCommand = "NULL";
    private volatile RequestFramer framer;
    private volatile String name;

    /** CLIENT SETNAME's name, or null. */
    String name() {
        return name;
    }

    /** CLIENT SETNAME; null for none. */
    void name(String name) {
        this.name = name;
    }

    /** The client's framer, known once its channel is active. */
    void framer(RequestFramer framer) {
        this.framer = framer;
    }

    /** A request arrived: the idle clock starts again. */
    void commandRead() {
        lastCommandMillis = System.currentTimeMillis();
    }

    /** When the client last sent a command (or connected), for {@code --timeout}. */
    long lastCommandMillis() {
        return lastCommandMillis;
    }

    /** The command the dispatcher last took from this client, by its spec's name. */
    void lastCommand(String name) {
        lastCommand = name;
    }

    /**
     * The client as a line of CLIENT LIST, with the fields of Redis 7.0 in its order. The proxy's
     * own values: qbuf and rbs are the framer's unread bytes and buffer, omem the replies written
     * and not yet sent, oll the replies still owed ({@code owed}); the proxy keeps no argv copy nor
     * a reply buffer apart from those (argv-mem, obl 0), and a transaction's queue is not counted
     * (multi 0 inside MULTI, multi-mem 0).
     */
    String describe(ClientSession s, Channel ch, PubSub ps, int owed, boolean readPaused) {
        long now = System.currentTimeMillis();
        RequestFramer f = framer;
        int qbuf = f == null ? 0 : f.buffered();
        int rbs = f == null ? 0 : f.bufferCapacity();
        ChannelOutboundBuffer out = ch == null ? null : ch.unsafe().outboundBuffer();
        long omem = out == null ? 0 : out.totalPendingWriteBytes();
        boolean multi = s.transaction().inMulti();
        return "id=" + s.id() + " addr=" + address(ch == null ? null : ch.remoteAddress())
                + " laddr=" + address(ch == null ? null : ch.localAddress())
                + " fd=" + fd(ch) + " name=" + (name == null ? "" : name)
                + " age=" + (now - createdMillis) / 1000 + " idle=" + (now - lastCommandMillis) / 1000
                + " flags=" + (ps != null && ps.active() ? "P" : multi ? "x" : "N")
                + " db=0 sub=" + (ps == null ? 0 : ps.channelCount()) + " psub=" + (ps == null ? 0 : ps.patternCount())
                + " ssub=" + (ps == null ? 0 : ps.shardChannelCount())
                + " multi=" + (multi ? 0 : -1)
                + " qbuf=" + qbuf + " qbuf-free=" + Math.max(0, rbs - qbuf) + " argv-mem=0 multi-mem=0"
                + " rbs=" + rbs + " rbp=" + rbs + " obl=0 oll=" + owed + " omem=" + omem
                + " tot-mem=" + (rbs + omem) + " events=" + (readPaused ? "" : "r") + (omem > 0 ? "w" : "")
                + " cmd=" + lastCommand + " user=" + s.login().user().name() + " redir=-1 resp=" + s.protocol();
    }

    /** The socket's descriptor where the transport has one (epoll, kqueue), else -1 as Redis shows for no socket. */
    private static int fd(Channel ch) {
        return ch instanceof UnixChannel u ? u.fd().intValue() : -1;
    }

    /** An address as CLIENT LIST writes it: {@code ip:port}. */
    static String address(SocketAddress a) {
        if (a instanceof InetSocketAddress i) {
            return i.getAddress().getHostAddress() + ":" + i.getPort();
        }
        return String.valueOf(a);
    }
}
