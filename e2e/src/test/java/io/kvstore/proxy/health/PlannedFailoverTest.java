package io.kvstore.proxy.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.admin.AdminMain;
import io.kvstore.admin.command.FailoverCommand;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.FailoverRecord;
import io.kvstore.config.store.GroupState;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.failover.FailoverController;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import picocli.CommandLine;

/** {@code kvstore-admin failover}: a planned switch under a write load through two proxies loses no acknowledged write. */
class PlannedFailoverTest {

    @RegisterExtension
    final FailoverFixture f = FailoverFixture.perTest();

    /** Runs kvstore-admin; returns exit code and output. */
    private String[] admin(String... args) {
        CommandLine cli = new CommandLine(new AdminMain());
        if (!cli.getSubcommands().containsKey("failover")) {
            cli.addSubcommand(new FailoverCommand());
        }
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        String[] full = new String[args.length + 2];
        full[0] = "--zk";
        full[1] = f.zk.getConnectString();
        System.arraycopy(args, 0, full, 2, args.length);
        int code = cli.execute(full);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void aPlannedFailoverUnderLoadLosesNoAcknowledgedWrite() throws Exception {
        List<List<RedisNode>> groups = f.createCluster("ds", ClusterMode.DATASTORE, 2, 2);
        FailoverFixture.Proxy p1 = f.startProxy("ds", FailoverFixture.fast(3_000));
        FailoverFixture.Proxy p2 = f.startProxy("ds", FailoverFixture.fast(3_000));
        f.awaitHealthViews("ds");
        f.leader();
        Topology t = f.topology("ds");
        RedisNode old = groups.get(0).get(0);
        HostPort target = groups.get(0).get(2).address();
        try (WriteLoad w1 = new WriteLoad(p1.port(), FailoverFixture.keysOf(t, "g1", "a:", 300), "w1");
             WriteLoad w2 = new WriteLoad(p2.port(), FailoverFixture.keysOf(t, "g1", "b:", 300), "w2")) {
            w1.awaitMore(300);
            w2.awaitMore(300);
            long started = System.currentTimeMillis();
            String[] run = admin("failover", "ds", "--group", "g1", "--to", target.toString());
            long took = System.currentTimeMillis() - started;
            assertEquals("0", run[0], String.join("\n", run));
            assertTrue(run[1].contains("done: " + target + " is the master of group g1"), run[1]);
            f.awaitEpoch(f.topology("ds").epoch());
            w1.awaitMore(300);
            w2.awaitMore(300);
            w1.close();
            w2.close();
            List<String> lost = w1.lost(p2.port());
            lost.addAll(w2.lost(p1.port()));
            System.out.printf("planned failover: %d ms for the command; %s; %s; %d acknowledged writes lost%n",
                    took, w1, w2, lost.size());
            assertEquals(List.of(), lost, "no acknowledged write is lost");
            assertEquals(0, w1.hangs() + w2.hangs());
        }
        Topology after = f.topology("ds");
        assertEquals(target, after.group("g1").orElseThrow().master());
        assertTrue(after.group("g1").orElseThrow().replicas().contains(old.address()));
        assertEquals(GroupState.ACTIVE, after.state("g1"));
        FailoverFixture.await("the old master to follow the new one", () -> target.toString().equals(old.masterOf()) && old.linkUp());
        RedisNode third = groups.get(0).get(1);
        FailoverFixture.await("the other replica to follow the new one", () -> target.toString().equals(third.masterOf()));
        FailoverRecord rec = f.failovers("ds").get(0);
        assertEquals(FailoverRecord.Kind.PLANNED, rec.kind());
        assertEquals(FailoverRecord.State.DONE, rec.state());
        // Under load a proxy reports the switch's epoch only once the requests on the paused old
        // master are answered: waiting for the proxies before unpausing ran into the 5 s limit.
        assertTrue(rec.finishedAt() - rec.startedAt() < FailoverController.PROXY_WAIT_MS,
                "the switch waited for the proxies while the old master was paused: " + (rec.finishedAt() - rec.startedAt()) + " ms");

        String[] status = admin("status", "ds");
        System.out.println(status[1]);
        assertTrue(status[1].contains("planned") && status[1].contains(rec.id()), status[1]);
        String[] again = admin("failover", "ds", "--group", "g1", "--to", "127.0.0.1:1");
        assertEquals("4", again[0], "not a replica: " + String.join("\n", again));
    }
}
