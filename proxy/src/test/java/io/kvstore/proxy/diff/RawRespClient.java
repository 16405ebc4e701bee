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
import java.util.Arrays;
import java.util.List;
import redis.clients.jedis.RedisProtocol;

/**
 * A blocking RESP2 or RESP3 client that keeps every reply's bytes as they were received, so
 * replies from two servers can be compared byte for byte. Every read has a timeout: a missing reply fails the
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

    /**
     * A connection speaking {@code protocol}: for RESP3 it sends {@code HELLO 3} first and checks
     * that the reply is a map with {@code proto 3} (its bytes are not compared: the client id
     * differs from server to server); for RESP2 it sends nothing, RESP2 being where every
     * connection starts.
     */
    static RawRespClient connect(int port, String name, RedisProtocol protocol) {
        RawRespClient c = connect(port, name);
        if (protocol == RedisProtocol.RESP2) {
            return c;
        }
        RawReply hello = c.call("HELLO", protocol.version());
        RawReply proto = hello.type() == '%' ? hello.field("proto") : null;
        if (proto == null || !proto.render().equals(":" + protocol.version())) {
            c.close();
            throw new AssertionError(name + " answered HELLO " + protocol.version() + " with " + hello.render());
        }
        return c;
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
        return call(command(args));
    }

    /** A command's arguments as UTF-8 bytes, for {@link #send} and {@link #sendAll}. */
    static List<byte[]> command(String... args) {
        List<byte[]> list = new ArrayList<>(args.length);
        for (String a : args) {
            list.add(a.getBytes(StandardCharsets.UTF_8));
        }
        return list;
    }

    /** {@code name} followed by {@code args}, as UTF-8 bytes. */
    static List<byte[]> command(String name, List<String> args) {
        List<byte[]> list = command(name);
        list.addAll(command(args.toArray(new String[0])));
        return list;
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

    /** The next reply or push frame from the server. */
    RawReply read() {
        try {
            return readReply(in, name);
        } catch (IOException e) {
            throw new UncheckedIOException("read from " + name + " failed", e);
        }
    }

    /** Reads one complete RESP2 or RESP3 value from {@code in}, keeping its bytes; {@code name} for messages. */
    static RawReply readReply(InputStream in, String name) throws IOException {
        return new Parser(in, name).value(new ByteArrayOutputStream());
    }

    /** One value's worth of reading: every byte read goes to {@code raw}, each value's own bytes are sliced from it. */
    private record Parser(InputStream in, String name) {

        RawReply value(ByteArrayOutputStream raw) throws IOException {
            int start = raw.size();
            String line = line(raw);
            if (line.isEmpty()) {
                throw new IOException("empty reply line from " + name);
            }
            char type = line.charAt(0);
            String rest = line.substring(1);
            if (RawReply.SIMPLE.indexOf(type) >= 0) {
                return new RawReply(type, slice(raw, start), rest, null, null, null);
            }
            if (rest.equals("?")) {
                throw new IOException("streamed " + type + " from " + name + ": not sent by Redis, not parsed here");
            }
            if (RawReply.BLOB.indexOf(type) >= 0) {
                return blob(raw, start, type, rest);
            }
            if (RawReply.AGGREGATE.indexOf(type) < 0) {
                throw new IOException("unexpected reply line from " + name + ": " + line);
            }
            int n = Integer.parseInt(rest);
            if (n < 0) {
                return new RawReply(type, slice(raw, start), rest, null, null, null);
            }
            int count = RawReply.pairCounted(type) ? 2 * n : n;
            List<RawReply> items = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                items.add(value(raw));
            }
            RawReply aggregate = new RawReply(type, slice(raw, start), rest, null, List.copyOf(items), null);
            return type == '|' ? value(raw).after(aggregate) : aggregate;
        }

        private RawReply blob(ByteArrayOutputStream raw, int start, char type, String rest) throws IOException {
            int len = Integer.parseInt(rest);
            if (len < 0) {
                return new RawReply(type, slice(raw, start), rest, null, null, null);
            }
            byte[] data = in.readNBytes(len + 2);
            if (data.length < len + 2) {
                throw new EOFException(name + " closed inside a " + type + " reply");
            }
            if (data[len] != '\r' || data[len + 1] != '\n') {
                throw new IOException(type + " reply from " + name + " does not end in CRLF after " + len + " bytes");
            }
            raw.writeBytes(data);
            return new RawReply(type, slice(raw, start), rest, Arrays.copyOf(data, len), null, null);
        }

        private static byte[] slice(ByteArrayOutputStream raw, int start) {
            byte[] all = raw.toByteArray();
            return Arrays.copyOfRange(all, start, all.length);
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
