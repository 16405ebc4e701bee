import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Client side of scripts/bench-memory.sh: holds connections to a proxy open, or requests in flight
 * through it, while the script measures the proxy's memory. Run as a single-file program (no
 * build, JDK only):
 *
 * <pre>java scripts/lib/MemoryBench.java HOST PORT idle CLIENTS
 * java scripts/lib/MemoryBench.java HOST PORT pending CLIENTS PER_CLIENT</pre>
 *
 * {@code idle}: opens CLIENTS connections, each sends one PING and reads its PONG (so the proxy has
 * set up the whole session, not just accepted a socket). {@code pending}: opens CLIENTS
 * connections and writes PER_CLIENT pipelined {@code GET mem:absent} on each without reading (the
 * script has stopped the redis-server first, so they stay in flight in the proxy; PER_CLIENT at
 * most the proxy's {@code --max-pending}, or the proxy stops reading and this write blocks).
 * Either mode then prints {@code READY ...}, waits for one line on stdin (the script's go-ahead,
 * after measuring), and then: idle closes every connection; pending reads every reply (each is
 * the 5 bytes {@code $-1\r\n} of a missing key) and checks them; it prints {@code DONE ...}. Exits
 * 1 on any error, a wrong reply, or a reply missing after 120 s. Owned by its main thread only.
 */
public final class MemoryBench {

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "+PONG\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GET = "*2\r\n$3\r\nGET\r\n$10\r\nmem:absent\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NIL = "$-1\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final long REPLY_DEADLINE_NANOS = 120_000_000_000L;

    public static void main(String[] a) throws Exception {
        if (a.length < 4 || !(a[2].equals("idle") || a[2].equals("pending") && a.length >= 5)) {
            System.err.println("usage: MemoryBench HOST PORT idle CLIENTS | HOST PORT pending CLIENTS PER_CLIENT");
            System.exit(2);
        }
        InetSocketAddress addr = new InetSocketAddress(a[0], Integer.parseInt(a[1]));
        int clients = Integer.parseInt(a[3]);
        List<SocketChannel> open = new ArrayList<>(clients);
        try {
            if (a[2].equals("idle")) {
                idle(addr, clients, open);
            } else {
                pending(addr, clients, Integer.parseInt(a[4]), open);
            }
        } catch (IOException | IllegalStateException e) {
            System.out.println("ERROR " + e);
            System.exit(1);
        } finally {
            for (SocketChannel ch : open) {
                ch.close();
            }
        }
    }

    private static void idle(InetSocketAddress addr, int clients, List<SocketChannel> open) throws IOException {
        for (int i = 0; i < clients; i++) {
            SocketChannel ch = connect(addr, open);
            writeAll(ch, ByteBuffer.wrap(PING));
            expect(ch, PONG, 1, System.nanoTime() + REPLY_DEADLINE_NANOS);
        }
        awaitGo("READY idle clients=" + clients);
        System.out.println("DONE idle clients=" + clients);
    }

    private static void pending(InetSocketAddress addr, int clients, int perClient, List<SocketChannel> open)
            throws IOException {
        ByteBuffer burst = ByteBuffer.allocate(GET.length * perClient);
        for (int i = 0; i < perClient; i++) {
            burst.put(GET);
        }
        for (int i = 0; i < clients; i++) {
            writeAll(connect(addr, open), burst.flip());
        }
        awaitGo("READY pending clients=" + clients + " per_client=" + perClient + " requests=" + (long) clients * perClient);
        long start = System.nanoTime();
        for (SocketChannel ch : open) {
            expect(ch, NIL, perClient, start + REPLY_DEADLINE_NANOS);
        }
        System.out.printf("DONE pending replies=%d seconds=%.2f%n", (long) clients * perClient, (System.nanoTime() - start) / 1e9);
    }

    private static SocketChannel connect(InetSocketAddress addr, List<SocketChannel> open) throws IOException {
        SocketChannel ch = SocketChannel.open();
        open.add(ch);
        ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        ch.connect(addr);
        return ch;
    }

    private static void writeAll(SocketChannel ch, ByteBuffer buf) throws IOException {
        while (buf.hasRemaining()) {
            ch.write(buf);
        }
    }

    /** Prints the line the script waits for, then blocks until the script answers on stdin. */
    private static void awaitGo(String ready) throws IOException {
        System.out.println(ready);
        System.out.flush();
        if (new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII)).readLine() == null) {
            throw new IllegalStateException("stdin closed before the go-ahead");
        }
    }

    /** Reads {@code count} copies of {@code reply} from a blocking channel; anything else fails. */
    private static void expect(SocketChannel ch, byte[] reply, int count, long deadline) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long left = (long) reply.length * count;
        long offset = 0;
        while (left > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(left / reply.length + " replies missing after the deadline");
            }
            buf.clear().limit((int) Math.min(buf.capacity(), left));
            int n = ch.read(buf);
            if (n < 0) {
                throw new IllegalStateException("connection closed with " + left / reply.length + " replies missing");
            }
            for (int i = 0; i < n; i++, offset++) {
                if (buf.get(i) != reply[(int) (offset % reply.length)]) {
                    throw new IllegalStateException("unexpected reply byte at offset " + offset);
                }
            }
            left -= n;
        }
    }
}
