package io.kvstore.proxy.it.support;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/**
 * A plain blocking socket that speaks raw RESP, for tests that need exact bytes on the wire:
 * inline commands, frames split anywhere, malformed input, unread replies. Every read has a
 * timeout, so a missing reply fails the test instead of hanging it. One thread at a time for
 * reading; writing may happen from another thread.
 *
 * <p>Replies are decoded to: {@link String} for a status ({@code +OK} becomes "OK") and for a bulk
 * string (UTF-8), {@code null} for a null bulk or array, {@link Long} for an integer,
 * {@link Error} for an error, {@link List} for an array. RESP3 too: {@code null} for {@code _},
 * {@link Boolean}, {@link Double}, {@link String} for a verbatim string (its format left out),
 * {@link Map} (in order) for a map, {@link java.util.Set} for a set, {@link Push} for a push.
 */
public final class RespSocket implements AutoCloseable {

    /** An error reply; {@code message} is the text after the dash. */
    public record Error(String message) {
        @Override
        public String toString() {
            return "-" + message;
        }
    }

    /** A RESP3 push message: a list that tells itself apart from a reply. */
    public static final class Push extends ArrayList<Object> {
        Push(int n) {
            super(n);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    /** Connects to 127.0.0.1:{@code port}; reads time out after {@code readTimeoutMillis}. */
    public static RespSocket connect(int port, int readTimeoutMillis) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(readTimeoutMillis);
            s.setTcpNoDelay(true);
            return new RespSocket(s);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // nothing more to do
            }
            throw new UncheckedIOException(e);
        }
    }

    public static RespSocket connect(int port) {
        return connect(port, 30_000);
    }

    /** The multibulk encoding of a command. */
    public static byte[] encode(String... words) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String w : words) {
            byte[] bytes = w.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
        return b.toByteArray();
    }

    /** Reads from now on time out after {@code millis}. */
    public void readTimeout(int millis) {
        try {
            socket.setSoTimeout(millis);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void send(byte[] bytes) {
        try {
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends text as is (ISO-8859-1), e.g. an inline command with its CRLF. */
    public void sendRaw(String text) {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    public void command(String... words) {
        send(encode(words));
    }

    /** Sends one command and reads its reply. */
    public Object call(String... words) {
        command(words);
        return read();
    }

    /** Reads one complete reply. */
    public Object read() {
        try {
            return readValue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads one line without its CRLF, as sent (type byte included). */
    public String readLine() {
        try {
            return line();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads until the server closes the connection and returns what came before that; fails when
     * the connection stays open longer than the read timeout.
     */
    public byte[] readUntilEof() {
        ByteArrayOutputStream rest = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            while (true) {
                int n = in.read(buf);
                if (n < 0) {
                    return rest.toByteArray();
                }
                rest.write(buf, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("connection still open after the read timeout; read so far: "
                    + new String(rest.toByteArray(), StandardCharsets.ISO_8859_1), e);
        } catch (SocketException e) {
            return rest.toByteArray(); // reset by peer counts as closed
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    private Object readValue() throws IOException {
        String line = line();
        if (line.isEmpty()) {
            throw new IOException("empty reply line");
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+':
                return rest;
            case '-':
                return new Error(rest);
            case ':':
                return Long.parseLong(rest);
            case '$', '=': {
                int len = Integer.parseInt(rest);
                if (len < 0) {
                    return null;
                }
                byte[] data = in.readNBytes(len + 2);
                if (data.length < len + 2) {
                    throw new EOFException("connection closed inside a bulk reply");
                }
                int skip = type == '=' ? 4 : 0; // a verbatim string's format, "txt:"
                return new String(data, skip, len - skip, StandardCharsets.UTF_8);
            }
            case '_':
                return null;
            case '#':
                return rest.equals("t");
            case ',':
                return Double.parseDouble(rest);
            case '*', '~', '>': {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return null;
                }
                List<Object> items = type == '>' ? new Push(n) : new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readValue());
                }
                return type == '~' ? new LinkedHashSet<>(items) : items;
            }
            case '%': {
                int n = Integer.parseInt(rest);
                Map<Object, Object> map = new LinkedHashMap<>();
                for (int i = 0; i < n; i++) {
                    map.put(readValue(), readValue());
                }
                return map;
            }
            default:
                throw new IOException("unexpected reply line: " + line);
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed; partial line: " + sb);
            }
            if (b == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("CR without LF after: " + sb);
                }
                return sb.toString();
            }
            sb.append((char) b);
        }
    }
}
