package io.kvstore.config.redis;

import io.kvstore.config.BackendAuth;
import io.kvstore.config.HostPort;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small blocking RESP2 client for the control plane: the proxies' health checks and failover
 * controller, and the admin's look at redis-servers and its key mover. One connection, one
 * command at a time, connect and every read bounded by a timeout. Never used on an event loop,
 * never on the data path. Confined to the thread that uses it.
 *
 * <p>Replies: simple and bulk strings as {@link String} (bulk strings as {@code byte[]} for
 * {@link #callRaw}), integers as {@link Long}, nil as null, arrays as {@link List}; an error
 * reply is thrown as {@link RedisError}.
 */
public final class RespClient implements Closeable {

    /** An error reply from the server ({@code -LOADING ...}, {@code -NOAUTH ...}). */
    public static final class RedisError extends IOException {
        public RedisError(String message) {
            super(message);
        }
    }

    private final HostPort address;
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private boolean rawBulks;

    private RespClient(HostPort address, Socket socket) throws IOException {
        this.address = address;
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /**
     * Connects within {@code timeoutMs} and logs in with {@code auth} (AUTH, and SELECT of its
     * database), as the proxy's own connections do; every later read times out after {@code timeoutMs}.
     * Over TLS when {@code auth} has {@link BackendAuth#tls() tls settings}.
     */
    public static RespClient connect(HostPort address, BackendAuth auth, int timeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            if (auth != null && auth.tls() != null) {
                Socket plain = s;
                s = auth.tls().handshake(plain, address.host(), address.port()); // bounded by the read timeout set above
            }
            RespClient c = new RespClient(address, s);
            if (auth != null && auth.needsAuth()) {
                if (auth.user() == null) {
                    c.call("AUTH", auth.password());
                } else {
                    c.call("AUTH", auth.user(), auth.password());
                }
            }
            if (auth != null && auth.db() != 0) {
                c.call("SELECT", Integer.toString(auth.db()));
            }
            return c;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Connects without logging in; see {@link #connect(HostPort, BackendAuth, int)}. */
    public static RespClient connect(HostPort address, int timeoutMs) throws IOException {
        return connect(address, null, timeoutMs);
    }

    public HostPort address() {
        return address;
    }

    /** Sends one command and waits for its reply; bulk strings come back as UTF-8 text. */
    public Object call(String... words) throws IOException {
        byte[][] raw = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            raw[i] = words[i].getBytes(StandardCharsets.UTF_8);
        }
        return send(raw, false);
    }

    /** Sends one command of binary words; bulk strings come back as {@code byte[]} (keys are binary). */
    public Object callRaw(byte[]... words) throws IOException {
        return send(words, true);
    }

    private Object send(byte[][] words, boolean raw) throws IOException {
        rawBulks = raw;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        RespWriter.command(buf, words);
        out.write(buf.toByteArray());
        out.flush();
        return read();
    }

    /**
     * Sends every command of {@code commands} in one write and reads their replies in order: one
     * round trip for the lot. Bulk strings come back as {@code byte[]}; an error reply is returned
     * in its place as a {@link RedisError}, not thrown, so that one refused command does not hide
     * the replies of the others. The caller bounds the batch (it is held in memory both ways).
     */
    public List<Object> pipeline(List<byte[][]> commands) throws IOException {
        rawBulks = true;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        for (byte[][] words : commands) {
            RespWriter.command(buf, words);
        }
        buf.writeTo(out);
        out.flush();
        List<Object> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            try {
                replies.add(read());
            } catch (RedisError e) {
                replies.add(e);
            }
        }
        return replies;
    }

    /** {@code INFO section} as key/value pairs. */
    public Map<String, String> info(String section) throws IOException {
        return parseInfo(String.valueOf(call("INFO", section)));
    }

    /** Parses INFO's {@code key:value} lines (section headers and blank lines skipped). */
    public static Map<String, String> parseInfo(String text) {
        Map<String, String> out = new HashMap<>();
        for (String line : text.split("\r?\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                out.put(line.substring(0, colon), line.substring(colon + 1).trim());
            }
        }
        return out;
    }

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by " + address);
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new RedisError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> bulk(Integer.parseInt(line));
            case '*' -> array(Integer.parseInt(line));
            default -> throw new IOException("not a RESP reply from " + address + " (first byte " + type + ")");
        };
    }

    private Object bulk(int len) throws IOException {
        if (len < 0) {
            return null;
        }
        byte[] b = in.readNBytes(len + 2);
        if (b.length != len + 2) {
            throw new IOException("connection to " + address + " closed in the middle of a reply");
        }
        return rawBulks ? Arrays.copyOf(b, len) : new String(b, 0, len, StandardCharsets.UTF_8);
    }

    private List<Object> array(int n) throws IOException {
        if (n < 0) {
            return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            try {
                items.add(read());
            } catch (RedisError e) {
                items.add(e);
            }
        }
        return items;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection to " + address + " closed in the middle of a reply");
            }
            sb.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed reply line from " + address);
        }
        return sb.toString();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing: nothing to do about it
        }
    }
}
