package io.kvstore.proxy.stats;

import io.kvstore.proxy.resp.Request;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The proxy's SLOWLOG: commands whose total time in the proxy reached {@code slowerThanMicros}
 * (negative: none; 0: every command), newest first, at most {@code maxLen}. Entries are added by
 * any event loop and read by any; {@link #isSlow} is a plain read of two volatile fields, and
 * only a slow command takes the lock (a rare event by definition, so no queue crossing threads
 * is on the hot path). Arguments are kept as Redis keeps them: at most 32, the last standing for
 * the rest, each cut to 128 bytes.
 */
public final class SlowLog {

    /** Redis's SLOWLOG_ENTRY_MAX_ARGC and SLOWLOG_ENTRY_MAX_STRING. */
    static final int MAX_ARGC = 32;
    static final int MAX_STRING = 128;

    /** One slow command, as SLOWLOG GET shows it. */
    public record Entry(long id, long timestampSeconds, long micros, List<byte[]> args, String clientAddress,
                        String clientName) {
    }

    private volatile long slowerThanMicros = 10_000;
    private volatile int maxLen = 128;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long nextId;

    /** {@code --slowlog-slower-than-us} and {@code --slowlog-max-len}; at start-up. */
    public synchronized void configure(long slowerThanMicros, int maxLen) {
        this.slowerThanMicros = slowerThanMicros;
        this.maxLen = Math.max(0, maxLen);
        trim();
    }

    /** Whether commands are logged at all (requests then keep a short copy of their arguments until replied). */
    public boolean enabled() {
        return slowerThanMicros >= 0 && maxLen > 0;
    }

    public boolean isSlow(long nanos) {
        long limit = slowerThanMicros;
        return limit >= 0 && nanos / 1000 >= limit;
    }

    /**
     * What a slow-log entry would show of {@code request}, taken when it is dispatched (its frame
     * goes to a backend and is released long before the reply): its arguments cut as Redis cuts
     * them (at most {@value #MAX_ARGC}, each at most {@value #MAX_STRING} bytes), packed in one
     * array. Holding the frame itself until the reply instead would keep the client's read buffer
     * shared, and a deep pipeline would then be copied again on every read.
     */
    public static byte[] snapshot(Request request) {
        int argc = Math.min(request.argCount(), MAX_ARGC);
        int size = 4;
        for (int i = 0; i < argc; i++) {
            size += 8 + Math.min(request.argLength(i), MAX_STRING);
        }
        java.nio.ByteBuffer packed = java.nio.ByteBuffer.allocate(size);
        packed.putInt(request.argCount());
        for (int i = 0; i < argc; i++) {
            int length = request.argLength(i);
            int kept = Math.min(length, MAX_STRING);
            packed.putInt(length).putInt(kept);
            request.frame().getBytes(request.argOffset(i), packed.array(), packed.position(), kept);
            packed.position(packed.position() + kept);
        }
        return packed.array();
    }

    /**
     * Logs a slow command from its {@link #snapshot}. The arguments of AUTH and HELLO (passwords)
     * are logged as {@code (redacted)}, as Redis does. Called on the client's loop.
     */
    public void add(long nanos, String command, byte[] snapshot, String clientAddress, String clientName) {
        boolean redact = command.equals("auth") || command.equals("hello");
        java.nio.ByteBuffer packed = java.nio.ByteBuffer.wrap(snapshot);
        int total = packed.getInt();
        int argc = Math.min(total, MAX_ARGC);
        List<byte[]> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            int length = packed.getInt();
            int kept = packed.getInt();
            byte[] a = new byte[kept];
            packed.get(a);
            if (i == argc - 1 && argc < total) {
                args.add(ascii("... (" + (total - argc + 1) + " more arguments)"));
                break;
            }
            if (redact && i > 0) {
                a = ascii("(redacted)");
            } else if (length > MAX_STRING) {
                byte[] cut = ascii("... (" + (length - MAX_STRING) + " more bytes)");
                byte[] b = java.util.Arrays.copyOf(a, MAX_STRING + cut.length);
                System.arraycopy(cut, 0, b, MAX_STRING, cut.length);
                a = b;
            }
            args.add(a);
        }
        long now = System.currentTimeMillis() / 1000;
        synchronized (this) {
            entries.addFirst(new Entry(nextId++, now, nanos / 1000, args, clientAddress, clientName == null ? "" : clientName));
            trim();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private void trim() {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    /** The newest {@code count} entries (all when negative), newest first. */
    public synchronized List<Entry> newest(long count) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (count >= 0 && out.size() >= count) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    public synchronized int length() {
        return entries.size();
    }

    public synchronized void reset() {
        entries.clear();
    }
}
