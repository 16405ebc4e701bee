import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.locks.LockSupport;

/**
 * Pub/sub fan-out driver for scripts/bench.sh, which redis-benchmark cannot do: one publisher,
 * N subscribers of one channel. Run as a single-file program (no build, JDK only):
 *
 * <pre>java scripts/lib/PubSubBench.java HOST PORT SUBSCRIBERS MESSAGES [PAYLOAD_BYTES [PIPELINE]]</pre>
 *
 * The publisher sends PUBLISH in batches of PIPELINE (default 1: one at a time), checks that
 * every reply counts all subscribers, and sends the next batch only once every subscriber got
 * the last one, so latencies measure the fan-out and not a queue in this client. One selector thread reads all subscribers. Every message
 * carries its send time, so each delivery gives a latency. Because the channel and the payload
 * size are fixed, every message frame has the same length and header: a subscriber cuts its
 * stream into frames by length and checks each header, and anything else fails the run. Prints
 * one line: {@code deliveries=D seconds=S rate=R p50=.. p99=.. p999=..} (rate in deliveries per
 * second, latencies in milliseconds); exits 1 on any error or when a delivery is missing after 30 s.
 * Owned by its own threads only: the main thread publishes, the reader thread subscribes.
 */
public final class PubSubBench {

    private static final String CHANNEL = "bench:fanout";
    private static final int STAMP = 19; // digits of the send time at the start of each payload

    public static void main(String[] a) throws Exception {
        if (a.length < 4) {
            System.err.println("usage: PubSubBench HOST PORT SUBSCRIBERS MESSAGES [PAYLOAD_BYTES [PIPELINE]]");
            System.exit(2);
        }
        InetSocketAddress addr = new InetSocketAddress(a[0], Integer.parseInt(a[1]));
        int subs = Integer.parseInt(a[2]);
        int messages = Integer.parseInt(a[3]);
        int size = Math.max(STAMP, a.length > 4 ? Integer.parseInt(a[4]) : 32);
        int pipeline = Math.max(1, a.length > 5 ? Integer.parseInt(a[5]) : 1);
        try {
            run(addr, subs, messages, size, pipeline);
        } catch (Exception e) {
            System.err.println("PubSubBench: " + e.getMessage());
            System.exit(1);
        }
    }

    private static void run(InetSocketAddress addr, int subs, int messages, int size, int pipeline) throws Exception {
        byte[] header = ascii("*3\r\n$7\r\nmessage\r\n" + bulkHead(CHANNEL) + CHANNEL + "\r\n$" + size + "\r\n");
        int frame = header.length + size + 2;
        Readers readers = new Readers(subs, (long) subs * messages, header, frame);
        for (int i = 0; i < subs; i++) {
            readers.add(subscribe(addr));
        }
        Thread reader = new Thread(readers, "subscribers");
        reader.setDaemon(true);
        long origin = System.nanoTime();
        readers.origin = origin;
        reader.start();
        try (SocketChannel pub = SocketChannel.open(addr)) {
            pub.socket().setTcpNoDelay(true);
            byte[] head = ascii("*3\r\n$7\r\nPUBLISH\r\n" + bulkHead(CHANNEL) + CHANNEL + "\r\n$" + size + "\r\n");
            byte[] pad = new byte[size - STAMP];
            Arrays.fill(pad, (byte) 'x');
            ByteBuffer out = ByteBuffer.allocate((head.length + size + 2) * pipeline);
            ByteBuffer in = ByteBuffer.allocate(64 * pipeline);
            for (int sent = 0; sent < messages; ) {
                int batch = Math.min(pipeline, messages - sent);
                out.clear();
                for (int i = 0; i < batch; i++) {
                    out.put(head).put(ascii(String.format("%019d", System.nanoTime() - origin))).put(pad).put((byte) '\r').put((byte) '\n');
                }
                out.flip();
                while (out.hasRemaining()) {
                    pub.write(out);
                }
                checkCounts(pub, in, batch, subs);
                sent += batch;
                readers.await((long) sent * subs);
            }
        }
        reader.join(30_000);
        readers.stop = true;
        if (readers.error != null) {
            throw readers.error;
        }
        if (readers.count < readers.latency.length) {
            throw new IOException("only " + readers.count + " of " + readers.latency.length + " deliveries arrived within 30 s");
        }
        long[] lat = readers.latency;
        Arrays.sort(lat);
        double seconds = (readers.last - readers.first) / 1e9;
        System.out.printf("deliveries=%d seconds=%.3f rate=%.0f p50=%.3f p99=%.3f p999=%.3f%n", lat.length, seconds,
                lat.length / Math.max(seconds, 1e-9), ms(lat, 0.5), ms(lat, 0.99), ms(lat, 0.999));
    }

    /** A blocking connection that subscribed to the channel and got its confirmation, then made non-blocking. */
    private static SocketChannel subscribe(InetSocketAddress addr) throws IOException {
        SocketChannel ch = SocketChannel.open(addr);
        ch.socket().setTcpNoDelay(true);
        ByteBuffer cmd = ByteBuffer.wrap(ascii("*2\r\n$9\r\nSUBSCRIBE\r\n" + bulkHead(CHANNEL) + CHANNEL + "\r\n"));
        while (cmd.hasRemaining()) {
            ch.write(cmd);
        }
        byte[] want = ascii("*3\r\n$9\r\nsubscribe\r\n" + bulkHead(CHANNEL) + CHANNEL + "\r\n:1\r\n");
        ByteBuffer got = ByteBuffer.allocate(want.length);
        readExactly(ch, got, want.length);
        if (!Arrays.equals(got.array(), want)) {
            throw new IOException("unexpected SUBSCRIBE reply: " + new String(got.array(), StandardCharsets.ISO_8859_1));
        }
        ch.configureBlocking(false);
        return ch;
    }

    /** All subscribers on one selector; cuts each stream into fixed-length frames and records a latency per frame. */
    private static final class Readers implements Runnable {
        final Selector selector;
        final byte[] header;
        final int frame;
        final long[] latency;
        volatile int count;
        volatile long origin;
        volatile long first;
        volatile long last;
        volatile Exception error;
        volatile boolean stop;
        volatile Thread waiter;
        volatile long wanted;

        Readers(int subs, long deliveries, byte[] header, int frame) throws IOException {
            if (deliveries > Integer.MAX_VALUE - 8) {
                throw new IOException("too many deliveries to keep: " + deliveries);
            }
            this.selector = Selector.open();
            this.header = header;
            this.frame = frame;
            this.latency = new long[(int) deliveries];
        }

        void add(SocketChannel ch) throws IOException {
            ch.register(selector, SelectionKey.OP_READ, new byte[frame + 4]); // the frame, then its fill level
        }

        @Override
        public void run() {
            ByteBuffer buf = ByteBuffer.allocateDirect(256 * 1024);
            try {
                while (count < latency.length && !stop) {
                    selector.select(1000);
                    for (SelectionKey key : selector.selectedKeys()) {
                        buf.clear();
                        if (((SocketChannel) key.channel()).read(buf) < 0) {
                            throw new IOException("a subscriber's connection closed");
                        }
                        buf.flip();
                        consume(buf, (byte[]) key.attachment());
                    }
                    selector.selectedKeys().clear();
                    Thread w = waiter;
                    if (w != null && count >= wanted) {
                        LockSupport.unpark(w);
                    }
                }
            } catch (Exception e) {
                error = e;
            }
            Thread w = waiter;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }

        /** Blocks the publisher until {@code n} deliveries have arrived: no message queues behind another in the client. */
        void await(long n) throws Exception {
            wanted = n;
            waiter = Thread.currentThread();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (count < n && error == null) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("only " + count + " of " + n + " deliveries arrived within 30 s");
                }
                LockSupport.parkNanos(10_000_000L);
            }
            if (error != null) {
                throw error;
            }
        }

        private void consume(ByteBuffer buf, byte[] state) throws IOException {
            int fill = ((state[frame] & 0xff) << 24) | ((state[frame + 1] & 0xff) << 16) | ((state[frame + 2] & 0xff) << 8) | (state[frame + 3] & 0xff);
            while (buf.hasRemaining()) {
                int n = Math.min(buf.remaining(), frame - fill);
                buf.get(state, fill, n);
                fill += n;
                if (fill == frame) {
                    delivered(state);
                    fill = 0;
                }
            }
            state[frame] = (byte) (fill >>> 24);
            state[frame + 1] = (byte) (fill >>> 16);
            state[frame + 2] = (byte) (fill >>> 8);
            state[frame + 3] = (byte) fill;
        }

        private void delivered(byte[] f) throws IOException {
            long now = System.nanoTime() - origin;
            for (int i = 0; i < header.length; i++) {
                if (f[i] != header[i]) {
                    throw new IOException("unexpected bytes from a subscriber: " + new String(f, 0, frame, StandardCharsets.ISO_8859_1));
                }
            }
            long sent = Long.parseLong(new String(f, header.length, STAMP, StandardCharsets.ISO_8859_1));
            if (count == 0) {
                first = sent;
            }
            latency[count] = now - sent;
            count = count + 1; // the only writer
            last = now;
        }
    }

    /**
     * Reads {@code batch} PUBLISH replies: each must count between 1 and {@code subs} receivers.
     * A redis-server counts every subscriber; a proxy's servers count one subscription per proxy
     * event loop (its subscribers share it), so the deliveries themselves are what is checked.
     */
    private static void checkCounts(SocketChannel ch, ByteBuffer buf, int batch, int subs) throws IOException {
        buf.clear();
        int lines = 0;
        while (lines < batch) {
            int from = buf.position();
            if (ch.read(buf) < 0) {
                throw new IOException("connection closed by " + ch.getRemoteAddress());
            }
            for (int i = from; i < buf.position(); i++) {
                lines += buf.get(i) == '\n' ? 1 : 0;
            }
        }
        String text = new String(buf.array(), 0, buf.position(), StandardCharsets.ISO_8859_1);
        for (String line : text.split("\r\n")) {
            long n = line.startsWith(":") ? Long.parseLong(line.substring(1)) : -1;
            if (n < 1 || n > subs) {
                throw new IOException("PUBLISH did not reach the " + subs + " subscribers: " + text.trim());
            }
        }
    }

    private static void readExactly(SocketChannel ch, ByteBuffer buf, int n) throws IOException {
        buf.clear().limit(n);
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new IOException("connection closed by " + ch.getRemoteAddress());
            }
        }
        buf.flip();
    }

    private static double ms(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static String bulkHead(String s) {
        return "$" + s.length() + "\r\n";
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
