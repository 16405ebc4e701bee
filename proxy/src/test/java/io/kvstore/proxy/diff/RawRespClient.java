package io.kvstore.proxy.diff;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A blocking RESP2 client that keeps every reply's bytes as they were received, so replies from
 * two servers can be compared byte for byte. Every read has a timeout: a missing reply fails the
 * test instead of hanging it. One thread at a time. 127.0.0.1 only.
 */
final class RawRespClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private final String name;

    private RawRespClient(Socket socket, String name) throws IOException {
        this.socket = socket;
        this.name = name;
        this.in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        this.out = socket.getOutputStream();
    }

    static RawRespClient connect(int port, String name) {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            s.setSoTimeout(20_000);
            s.setTcpNoDelay(true);
            return new RawRespClient(s, name);
        } catch (IOException e) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
            throw new UncheckedIOException("cannot connect to " + name + " on port " + port, e);
        }
    }

    String name() {
        return name;
    }

    /** Sends one command as a multibulk and reads its reply. */
    RawReply call(List<byte[]> args) {
        send(args);
        return read();
    }

    RawReply call(String... args) {
        List<byte[]> list = new ArrayList<>(args.length);
        for (String a : args) {
            list.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return call(list);
    }

    void send(List<byte[]> args) {
        sendAll(List.of(args));
    }

    /** Writes every command in one write (a pipeline); the replies are read with {@link #read()}. */
    void sendAll(List<List<byte[]>> commands) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (List<byte[]> args : commands) {
            encode(b, args);
        }
        try {
            out.write(b.toByteArray());
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write to " + name + " failed", e);
        }
    }

    private static void encode(ByteArrayOutputStream b, List<byte[]> args) {
        b.writeBytes(("*" + args.size() + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] a : args) {
            b.writeBytes(("$" + a.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(a);
            b.writeBytes(new byte[] {'\r', '\n'});
        }
    }

    RawReply read() {
        try {
            ByteArrayOutputStream raw = new ByteArrayOutputStream();
            return readValue(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("read from " + name + " failed", e);
        }
    }

    private RawReply readValue(ByteArrayOutputStream raw) throws IOException {
        int start = raw.size();
        String line = line(raw);
        if (line.isEmpty()) {
            throw new IOException("empty reply line from " + name);
        }
        char type = line.charAt(0);
        String rest = line.substring(1);
        switch (type) {
            case '+', '-', ':' -> {
                return new RawReply(type, slice(raw, start), rest, null, null);
            }
            case '$' -> {
                int len = Integer.parseInt(rest);
                if (len < 0) {
                    return new RawReply(type, slice(raw, start), rest, null, null);
                }
                byte[] data = in.readNBytes(len + 2);
                if (data.length < len + 2) {
                    throw new EOFException(name + " closed inside a bulk reply");
                }
                raw.writeBytes(data);
                byte[] payload = java.util.Arrays.copyOf(data, len);
                return new RawReply(type, slice(raw, start), rest, payload, null);
            }
            case '*' -> {
                int n = Integer.parseInt(rest);
                if (n < 0) {
                    return new RawReply(type, slice(raw, start), rest, null, null);
                }
                List<RawReply> items = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    items.add(readValue(raw));
                }
                return new RawReply(type, slice(raw, start), rest, null, List.copyOf(items));
            }
            default -> throw new IOException("unexpected reply line from " + name + ": " + line);
        }
    }

    private static byte[] slice(ByteArrayOutputStream raw, int start) {
        byte[] all = raw.toByteArray();
        return java.util.Arrays.copyOfRange(all, start, all.length);
    }

    private String line(ByteArrayOutputStream raw) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException(name + " closed the connection; partial line: " + sb);
            }
            raw.write(b);
            if (b == '\r') {
                int lf = in.read();
                if (lf != '\n') {
                    throw new IOException("CR without LF from " + name + " after: " + sb);
                }
                raw.write(lf);
                return sb.toString();
            }
            sb.append((char) b);
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
}
