package io.kvstore.admin.redis;

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
import java.util.List;

/**
 * A minimal blocking RESP2 client for the admin's look at redis-servers: one connection, one
 * command at a time, every read bounded by a timeout. Not for the data path. Confined to the
 * thread that made it.
 *
 * <p>Replies map to Java values: simple string and bulk string to {@link String}, integer to
 * {@link Long}, nil to null, array to {@link List}; an error reply is thrown as
 * {@link RedisError}.
 */
public final class RespClient implements Closeable {

    /** An error reply ({@code -ERR ...}) from the server. */
    public static final class RedisError extends IOException {
        public RedisError(String message) {
            super(message);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Connects within {@code timeoutMs}; later reads time out after {@code timeoutMs} too. */
    public static RespClient connect(HostPort address, int timeoutMs) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(address.host(), address.port()), timeoutMs);
            s.setSoTimeout(timeoutMs);
            s.setTcpNoDelay(true);
            return new RespClient(s);
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** Sends one command and returns its reply; bulk strings come back as UTF-8 text. */
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
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        buf.write(('*' + Integer.toString(words.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] b : words) {
            buf.write(('$' + Integer.toString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            buf.write(b);
            buf.write('\r');
            buf.write('\n');
        }
        out.write(buf.toByteArray());
        out.flush();
        rawBulks = raw;
        return read();
    }

    private boolean rawBulks;

    private Object read() throws IOException {
        int type = in.read();
        if (type < 0) {
            throw new IOException("connection closed by the server");
        }
        String line = line();
        return switch (type) {
            case '+' -> line;
            case '-' -> throw new RedisError(line);
            case ':' -> Long.parseLong(line);
            case '$' -> bulk(Integer.parseInt(line));
            case '*' -> array(Integer.parseInt(line));
            default -> throw new IOException("not a RESP reply (first byte " + type + ")");
        };
    }

    private Object bulk(int len) throws IOException {
        if (len < 0) {
            return null;
        }
        byte[] b = in.readNBytes(len + 2);
        if (b.length != len + 2) {
            throw new IOException("connection closed in the middle of a reply");
        }
        return rawBulks ? java.util.Arrays.copyOf(b, len) : new String(b, 0, len, StandardCharsets.UTF_8);
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
                items.add(e); // an error inside an array is a value, not a failure of the call
            }
        }
        return items;
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) != '\r') {
            if (c < 0) {
                throw new IOException("connection closed in the middle of a reply");
            }
            sb.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("malformed reply line");
        }
        return sb.toString();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
