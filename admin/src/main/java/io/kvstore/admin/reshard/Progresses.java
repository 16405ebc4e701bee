package io.kvstore.admin.reshard;

import java.io.PrintWriter;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** The ways a migration reports progress: a bar on a terminal, plain lines elsewhere. */
public final class Progresses {

    private Progresses() {
    }

    /** A bar when standard output is a terminal, plain lines (at most one per {@code everyMillis}) otherwise. */
    public static Progress forOutput(PrintWriter out, long totalSlots, boolean quiet) {
        if (quiet) {
            return new Lines(out, totalSlots, Long.MAX_VALUE);
        }
        return System.console() != null ? new Bar(totalSlots) : new Lines(out, totalSlots, 2000);
    }

    /** Slots done / total with keys moved, keys/s and ETA, redrawn in place. */
    static final class Bar implements Progress {
        private final ProgressBar bar;
        private long keys;
        private final long started = System.nanoTime();

        Bar(long totalSlots) {
            this.bar = new ProgressBarBuilder().setTaskName("slots").setInitialMax(totalSlots)
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).showSpeed().build();
        }

        @Override
        public void step(long epoch, int slots) {
            bar.setExtraMessage(slots + " slots migrating at epoch " + epoch);
        }

        @Override
        public void keys(long n) {
            keys += n;
            double secs = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            bar.setExtraMessage(keys + " keys moved, " + Math.round(keys / secs) + " keys/s");
        }

        @Override
        public void slots(long done, long total) {
            bar.stepTo(done);
        }

        @Override
        public void note(String message) {
            bar.setExtraMessage(message);
        }

        @Override
        public void close() {
            bar.close();
        }
    }

    /** One line per report, no more than one per interval, for logs and pipes. */
    static final class Lines implements Progress {
        private final PrintWriter out;
        private final long total;
        private final long everyMillis;
        private final long started = System.currentTimeMillis();
        private long last;
        private long keys;
        private long slots;

        Lines(PrintWriter out, long total, long everyMillis) {
            this.out = out;
            this.total = total;
            this.everyMillis = everyMillis;
        }

        @Override
        public void step(long epoch, int n) {
            print("step: " + n + " slots migrating at epoch " + epoch, true);
        }

        @Override
        public void keys(long n) {
            keys += n;
            print(null, false);
        }

        @Override
        public void slots(long done, long t) {
            slots = done;
            print(null, true);
        }

        @Override
        public void note(String message) {
            print(message, true);
        }

        private void print(String message, boolean force) {
            long now = System.currentTimeMillis();
            if (everyMillis == Long.MAX_VALUE || (!force && now - last < everyMillis)) {
                return;
            }
            last = now;
            double secs = Math.max(1e-3, (now - started) / 1000.0);
            long rate = Math.round(keys / secs);
            String eta = slots == 0 ? "?" : Math.round((total - slots) * secs / slots) + "s";
            out.printf("%s%d/%d slots, %d keys moved, %d keys/s, eta %s%n", message == null ? "" : message + "; ",
                    slots, total, keys, rate, eta);
            out.flush();
        }

        @Override
        public void close() {
            out.flush();
        }
    }
}
