package io.kvstore.proxy.failover;

import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts failover records and drives one to its end with the {@link Procedure} of its kind:
 * picks up a requested one, takes over one another controller was running (saying so in the
 * record), and fails one whose group is gone. Stateless beyond its collaborators; the
 * controller's thread.
 */
final class RecordDriver {

    private static final Logger LOG = LoggerFactory.getLogger(RecordDriver.class);

    /** The procedures by kind of record. */
    record Procedures(Procedure promote, Procedure reassign, Procedure planned, Procedure rejoin) {
    }

    private final LeaderStore zk;
    private final String id;
    private final FailoverSteps steps;
    private final Procedures procedures;

    RecordDriver(LeaderStore zk, String id, FailoverSteps steps, Procedures procedures) {
        this.zk = zk;
        this.id = id;
        this.steps = steps;
        this.procedures = procedures;
    }

    /** Records and drives an automatic failover of {@code g}. */
    void startAuto(Topology t, Group g) {
        FailoverRecord r = FailoverRecord.start(g.id(), FailoverRecord.Kind.AUTO, t.mode(), g.master(), null, t.epoch(),
                System.currentTimeMillis(), id);
        drive(zk.create(r));
    }

    /** Records and drives the return of failed or down group {@code g}. */
    void startRejoin(Topology t, Group g) {
        LOG.info("master {} of {} group {} is up again for a quorum of proxies: bringing the group back",
                g.master(), t.state(g.id()), g.id());
        FailoverRecord r = FailoverRecord.start(g.id(), FailoverRecord.Kind.REJOIN, t.mode(), g.master(), g.master(),
                t.epoch(), System.currentTimeMillis(), id);
        drive(zk.create(r));
    }

    void drive(Versioned<FailoverRecord> v) {
        RecordRun run = new RecordRun(zk, steps, v);
        FailoverRecord r = run.r();
        if (r.state() == FailoverRecord.State.REQUESTED) {
            run.save(r.runBy(id, "picked up by controller " + id));
        } else if (!r.by().equals(id)) {
            run.save(r.runBy(id, "taken over by controller " + id + " from " + r.by() + " (last step: " + r.note() + ")"));
            LOG.warn("taking over failover {} of group {} from controller {}", r.id(), r.group(), r.by());
        }
        Topology t = zk.topology();
        if (t.group(r.group()).isEmpty()) {
            run.fail("group " + r.group() + " is no longer in the cluster");
            return;
        }
        Procedure p = switch (r.kind()) {
            case AUTO -> t.mode() == ClusterMode.DATASTORE ? procedures.promote() : procedures.reassign();
            case REJOIN -> procedures.rejoin();
            case PLANNED -> procedures.planned();
        };
        p.drive(run, t);
    }
}
