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

    /** Whether commands are logged at all (requests then keep their arguments until replied). */
    public boolean enabled() {
        return slowerThanMicros >= 0 && maxLen > 0;
    }

    public boolean isSlow(long nanos) {
        long limit = slowerThanMicros;
        return limit >= 0 && nanos / 1000 >= limit;
    }

    /**
     * Logs a slow command. {@code readerIndex}: the frame's reader index when it was framed (the
     * write to a backend moves it). The arguments of AUTH and HELLO (passwords) are logged as
     * {@code (redacted)}, as Redis does. Called on the client's loop; the request stays the caller's.
     */
    public void add(long nanos, String command, Request request, int readerIndex, String clientAddress, String clientName) {
        boolean redact = command.equals("auth") || command.equals("hello");
        int argc = Math.min(request.argCount(), MAX_ARGC);
        List<byte[]> args = new ArrayList<>(argc);
        for (int i = 0; i < argc; i++) {
            if (i == argc - 1 && argc < request.argCount()) {
                args.add(ascii("... (" + (request.argCount() - argc + 1) + " more arguments)"));
                break;
            }
            byte[] a = redact && i > 0 ? ascii("(redacted)") : request.argBytes(i, readerIndex);
            if (a.length > MAX_STRING) {
                byte[] cut = ascii("... (" + (a.length - MAX_STRING) + " more bytes)");
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
