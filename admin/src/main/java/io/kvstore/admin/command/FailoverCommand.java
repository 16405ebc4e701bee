package io.kvstore.admin.command;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin failover CLUSTER --group G [--to H:P]}: a planned failover, for
 * maintenance. The admin does not touch the redis-servers itself: it records the request under
 * {@code failover/} and the cluster's failover controller (the leader among the proxies) carries
 * it out, so that one actor only ever changes masters. The controller pauses the master's writes,
 * waits until the replica has every byte of them, promotes it, makes the others and the old
 * master follow it, publishes it in one epoch, waits for the proxies, and resumes. This command
 * waits for the outcome and prints it. Main thread only.
 */
@Command(name = "failover", description = {"Planned failover: make a replica the master of a group, losing no acknowledged write.",
        "The cluster's failover controller (running in the proxies) does it; this command asks and waits.",
        "Writes to the group pause for the switch (about a second); writes caught in it get an error, never a silent loss."},
        footer = {"", "Example: kvstore-admin failover shop --group g1 --to 127.0.0.1:7102", "", Exit.SUMMARY,
                "failover exits 4 when the controller refused or could not do it (nothing changed), 1 when it did not finish in time."})
public final class FailoverCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "CLUSTER")
    String cluster;

    @Option(names = "--group", required = true, paramLabel = "GROUP", description = "The group whose master is replaced.")
    String group;

    @Option(names = "--to", paramLabel = "HOST:PORT",
            description = "The replica to promote (default: the in-sync replica with the highest replication offset).")
    String to;

    @Option(names = "--timeout-ms", defaultValue = "60000", description = "How long to wait for the outcome (default: ${DEFAULT-VALUE}).")
    long timeoutMs;

    @Option(names = "--json", description = "Print the finished failover record as JSON.")
    boolean json;

    @Override
    protected int run() {
        HostPort target = to == null ? null : HostPort.parse(to);
        try (ClusterStore store = openStore()) {
            Topology t = store.read(cluster).value();
            Group g = t.group(group).orElseThrow(() -> new StoreException.NotFound("cluster " + cluster + " has no group '"
                    + group + "' (groups: " + t.groups().stream().map(Group::id).toList() + ")"));
            if (t.state(group) != GroupState.ACTIVE) {
                throw new StoreException.Conflict("group " + group + " is " + t.state(group) + "; a planned failover needs an active group");
            }
            if (g.replicas().isEmpty()) {
                throw new StoreException.Conflict("group " + group + " has no replica to fail over to");
            }
            if (target != null && !g.replicas().contains(target)) {
                throw new StoreException.Conflict(target + " is not a replica of group " + group + " (replicas: " + g.replicas() + ")");
            }
            Optional<String> leader = store.controllerLeader(cluster);
            if (leader.isEmpty()) {
                throw new StoreException.Conflict("no failover controller runs for cluster " + cluster + ": it runs in the proxies"
                        + " (kvstore-proxy without --no-controller); start one and ask again");
            }
            for (Versioned<FailoverRecord> v : store.failovers(cluster)) {
                if (v.value().group().equals(group) && !v.value().state().finished()) {
                    throw new StoreException.Conflict("failover " + v.value().id() + " of group " + group + " is under way ("
                            + v.value().note() + "); wait for it");
                }
            }
            FailoverRecord request = FailoverRecord.start(group, FailoverRecord.Kind.PLANNED, t.mode(), g.master(), target,
                    t.epoch(), System.currentTimeMillis(), "kvstore-admin");
            String id = store.createFailover(cluster, request).value().id();
            if (!json) {
                out().printf("failover %s of group %s requested (master %s%s); controller %s carries it out%n", id, group,
                        g.master(), target == null ? "" : ", to " + target, leader.get());
                out().flush();
            }
            return await(store, id);
        }
    }

    private int await(ClusterStore store, String id) {
        long deadline = System.currentTimeMillis() + timeoutMs;
        String lastNote = "";
        while (true) {
            FailoverRecord r = store.failovers(cluster).stream().map(Versioned::value).filter(x -> x.id().equals(id))
                    .findFirst().orElseThrow(() -> new StoreException.NotFound("failover record " + id + " disappeared"));
            if (!json && !r.note().equals(lastNote)) {
                out().println("  " + r.note());
                out().flush();
                lastNote = r.note();
            }
            if (r.state().finished()) {
                if (json) {
                    printJson(StatusCommand.failoverJson(JSON.createObjectNode(), r));
                } else if (r.state() == FailoverRecord.State.DONE) {
                    out().printf("done: %s is the master of group %s (epoch %d, %d ms)%n", r.newMaster(), r.group(), r.epoch(),
                            r.finishedAt() - r.startedAt());
                }
                if (r.state() == FailoverRecord.State.FAILED) {
                    err("failover " + id + " did not happen: " + r.note());
                    return Exit.CONFLICT;
                }
                return Exit.OK;
            }
            if (System.currentTimeMillis() > deadline) {
                err("failover " + id + " is not finished after " + timeoutMs + " ms (" + r.state().wireName() + ": " + r.note()
                        + "); it goes on: follow it with kvstore-admin status " + cluster);
                return Exit.UNREACHABLE;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Exit.UNREACHABLE;
            }
        }
    }

}
