package io.kvstore.proxy.failover;

import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.Versioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A failover record being driven by one procedure. Invariant: it holds the version last read or
 * written, and every save is a compare-and-set on it after a leadership check, so two controllers
 * never both advance one record. Each named step is told to the {@link FailoverSteps}. Lives for
 * one drive, on the controller's thread.
 */
final class RecordRun {

    private static final Logger LOG = LoggerFactory.getLogger(RecordRun.class);

    private final LeaderStore zk;
    private final FailoverSteps steps;
    private Versioned<FailoverRecord> v;

    RecordRun(LeaderStore zk, FailoverSteps steps, Versioned<FailoverRecord> v) {
        this.zk = zk;
        this.steps = steps;
        this.v = v;
    }

    FailoverRecord r() {
        return v.value();
    }

    void save(FailoverRecord next) {
        v = zk.save(next, v.version());
    }

    void step(String name) {
        steps.after(name, r());
    }

    void done(long epoch, String what) {
        save(r().done(epoch, System.currentTimeMillis(), what));
        LOG.warn("failover {} of group {} ({} {}): {}", r().id(), r().group(), r().kind().wireName(), r().mode(), what);
        step("done");
    }

    void fail(String why) {
        save(r().failed(System.currentTimeMillis(), why));
        LOG.error("failover {} of group {} ({}) stopped: {}", r().id(), r().group(), r().kind().wireName(), why);
        step("failed");
    }
}
