package io.kvstore.admin.snapshot;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * How backup and restore report progress: keys done of an expected total, with keys/s and
 * MB/s. A bar on a terminal, a line every 2 s otherwise, nothing when quiet. One thread.
 */
public abstract class KeyProgress implements AutoCloseable {

    private final long started = System.nanoTime();
    final PrintWriter out;
    long keys;
    long bytes;

    KeyProgress(PrintWriter out) {
        this.out = out;
    }

    /** {@code n} more keys, {@code payloadBytes} more bytes of DUMP payload. */
    public final void add(long n, long payloadBytes) {
        keys += n;
        bytes += payloadBytes;
        update();
    }

    abstract void update();

    /** A line for the operator, printed even when quiet. */
    public final void note(String message) {
        out.println(message);
        out.flush();
    }

    @Override
    public abstract void close();

    String rates() {
        double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
        return String.format("%d keys/s, %.1f MB/s", Math.round(keys / secs), bytes / secs / 1e6);
    }

    /** A bar when standard output is a terminal, lines otherwise, nothing when {@code quiet}. */
    public static KeyProgress forOutput(PrintWriter out, String task, long total, boolean quiet) {
        if (!quiet && System.console() != null) {
            return new Bar(out, task, total);
        }
        return new Lines(out, task, total, quiet ? Long.MAX_VALUE : 2000);
    }

    private static final class Bar extends KeyProgress {
        private final ProgressBar bar;

        Bar(PrintWriter out, String task, long total) {
            super(out);
            this.bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(Math.max(total, 1)).setUnit(" keys", 1)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).build();
        }

        @Override
        void update() {
            bar.stepTo(Math.min(keys, bar.getMax()));
            bar.setExtraMessage(rates());
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    private static final class Lines extends KeyProgress {
        private final String task;
        private final long total;
        private final long everyMillis;
        private long last = System.currentTimeMillis();

        Lines(PrintWriter out, String task, long total, long everyMillis) {
            super(out);
            this.task = task;
            this.total = total;
            this.everyMillis = everyMillis;
        }

        @Override
        void update() {
            long now = System.currentTimeMillis();
            if (everyMillis != Long.MAX_VALUE && now - last >= everyMillis) {
                last = now;
                out.printf("%s: %d/%d keys, %s%n", task, keys, total, rates());
                out.flush();
            }
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
