package io.kvstore.proxy.reshard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kvstore.admin.AdminMain;
import io.kvstore.admin.reshard.JobStore;
import io.kvstore.config.Group;
import io.kvstore.config.SlotHash;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.Topology;
import io.kvstore.proxy.control.ZkFixture;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.Await;
import io.kvstore.testing.RedisServer;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Live resharding under a checker (issue #5: no lost, stale or duplicated data). Real ZooKeeper
 * in process, real redis-servers, proxies in this JVM, and the operator's CLI moving slots while
 * {@link Checker} clients write unique, increasing values through one proxy and read them back
 * through another. Each test ends with the checker's verdict, every preloaded key read back, and
 * a scan of every redis-server: each key lives only on the server that owns its slot.
 *
 * <p>No timing assertions: every wait is a bounded poll, every rate is only required to finish.
 */
class ReshardCheckerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CLUSTER = "shop";
    private static final int BULK = 10_000;
    private static final int BULK_LISTS = 100;

    private ZkFixture f;
    private final List<Process> children = new ArrayList<>();
    private final List<Thread> drivers = new ArrayList<>();
    private Checker checker;

    @AfterEach
    void stop() throws Exception {
        for (Process p : children) {
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        if (checker != null) {
            checker.stop();
        }
        for (Thread t : drivers) {
            t.join(60_000);
        }
        if (f != null) {
            f.close();
        }
    }

    // ------------------------------------------------------------------------------------ tests

    /**
     * Half of all slots go from 3 groups to a new 4th (rebalance with the default rate and chunk,
     * then reshard from each group) and back (reshard to each group), then the empty group is
     * removed: 7 jobs, 10 steps, under 4 writers and 2 readers on 2 proxies; each reader reads the
     * keys written through its own proxy. No client sees an error.
     */
    @Test
    void halfTheSlotsToANewGroupAndBackUnderLoad() throws Exception {
        halfTheSlotsAndBack(false);
    }

    /**
     * The same, with readers reading through the other proxy than the writer's: the two proxies
     * apply each epoch at slightly different moments.
     */
    @Test
    void halfTheSlotsToANewGroupAndBackReadThroughTheOtherProxy() throws Exception {
        halfTheSlotsAndBack(true);
    }

    private void halfTheSlotsAndBack(boolean crossProxy) throws Exception {
        ZkFixture.Proxy b = startUnderLoadWithEmptyG4(crossProxy).b();
        JsonNode r = json(ok(admin("rebalance", CLUSTER, "--json")));
        assertFalse(r.path("cancelled").asBoolean());
        assertEquals(4096, r.path("slotsMoved").asLong());
        assertEquals(4096, topology().slotCount("g4"));
        ok(admin("reshard", CLUSTER, "--from", "g1", "--to", "g4", "--slots", "1365", "--chunk-slots", "1366", "--rate", "0", "--quiet"));
        ok(admin("reshard", CLUSTER, "--from", "g2", "--to", "g4", "--slots", "1365", "--chunk-slots", "1366", "--rate", "0", "--quiet"));
        ok(admin("reshard", CLUSTER, "--from", "g3", "--to", "g4", "--slots", "1366", "--chunk-slots", "1366", "--rate", "0", "--quiet"));
        assertEquals(8192, topology().slotCount("g4"), "half of all slots on the new group");
        long writesAtHalf = checker.writes.get();

        ok(admin("reshard", CLUSTER, "--from", "g4", "--to", "g1", "--slots", "2731", "--chunk-slots", "2731", "--rate", "0", "--quiet"));
        ok(admin("reshard", CLUSTER, "--from", "g4", "--to", "g2", "--slots", "2731", "--chunk-slots", "2731", "--rate", "0", "--quiet"));
        ok(admin("reshard", CLUSTER, "--from", "g4", "--to", "g3", "--slots", "2730", "--chunk-slots", "2731", "--rate", "0", "--quiet"));
        assertEquals(0, topology().slotCount("g4"));
        ok(admin("group", "remove", CLUSTER, "g4"));
        awaitWrites(500);
        checker.stop();

        assertTrue(checker.writes.get() > writesAtHalf, "the writers kept going: " + checker.summary());
        assertEquals(List.of(), checker.errors(), "no client saw an error: " + checker.summary());
        Topology t = topology();
        assertEquals(3, t.groups().size());
        assertTrue(t.migrating().isEmpty());
        verifyAll(b.port(), t);
    }

    /**
     * The driving process is killed (SIGKILL) in the middle of a step; the clients keep going
     * while slots stay migrating with no driver, and {@code migrations --resume} in another
     * process finishes the job.
     */
    @Test
    void driverKilledMidStepIsResumed() throws Exception {
        ZkFixture.Proxy b = startUnderLoadWithEmptyG4(false).b();

        // Kill the driving JVM while a step is under way; if it happened to be between two steps,
        // resume in another JVM and kill that one (bounded attempts).
        JsonNode orphan = null;
        String[] command = {"rebalance", CLUSTER, "--rate", "2000", "--chunk-slots", "1024", "--quiet"};
        for (int attempt = 0; attempt < 5 && orphan == null; attempt++) {
            Process driver = adminProcess(command);
            long doneBefore = jobs().read().map(j -> j.slotsDone()).orElse(0L);
            pollUntil(driver, () -> jobs().read().map(j -> j.slotsDone() > doneBefore).orElse(false)
                    && !topology().migrating().isEmpty());
            driver.destroyForcibly();
            assertTrue(driver.waitFor(30, TimeUnit.SECONDS), "the driver died");
            JsonNode shown = json(ok(admin("migrations", CLUSTER, "--json")));
            assertTrue(shown.has("job"), "the job stays recorded: " + shown);
            if (shown.path("migrating").size() > 0) {
                orphan = shown;
            }
            command = new String[] {"migrations", CLUSTER, "--resume"};
        }
        assertNotNull(orphan, "killed a driver in the middle of a step");
        long slotsDoneAtKill = orphan.path("job").path("slotsDone").asLong();
        assertTrue(slotsDoneAtKill > 0 && slotsDoneAtKill < 4096, "killed mid-job: " + orphan);
        awaitWrites(300); // clients keep working with slots migrating and nobody driving

        String resumed = ok(admin("migrations", CLUSTER, "--resume"));
        assertTrue(resumed.contains("done: "), resumed);
        JsonNode after = json(ok(admin("migrations", CLUSTER, "--json")));
        assertFalse(after.has("job"), "job removed: " + after);
        assertEquals(0, after.path("migrating").size());
        awaitWrites(200);
        checker.stop();

        assertEquals(List.of(), checker.errors(), checker.summary());
        Topology t = topology();
        for (Group g : t.groups()) {
            assertEquals(4096, t.slotCount(g.id()), g.id());
        }
        verifyAll(b.port(), t);
    }

    /**
     * A proxy is stopped while slots migrate (its server first, then its registration) and a new
     * one is started in its place; its clients reconnect there. The driver waits for registered
     * proxies only, so it goes on meanwhile.
     */
    @Test
    void proxyReplacedMidMigration() throws Exception {
        ZkFixture.Proxy a = startUnderLoadWithEmptyG4(false).a();

        AtomicReference<Cli> result = drive("rebalance", CLUSTER, "--rate", "2000", "--chunk-slots", "256", "--quiet");
        ZkFixture.await("a step done and the next one migrating", () -> {
            Topology t = topology();
            return result.get() != null || t.slotCount("g4") > 0 && !t.migrating().isEmpty();
        });
        assertNull(result.get(), "the migration was still under way");
        // Stop serving first, then deregister: the other order (ProxyMain's shutdown hook) leaves the
        // proxy serving unregistered for a moment (MigrationRaceTest.aStoppingProxy...).
        f.proxies.remove(a);
        a.server().close();
        a.control().close();
        long writesAtClose = checker.writes.get();
        ZkFixture.Proxy c = f.startProxy(CLUSTER);
        checker.endpoint(0, c.port());

        awaitDriver(result);
        ok(result.get());
        awaitWrites(300);
        checker.stop();

        assertTrue(checker.writes.get() > writesAtClose, "writers reconnected to the new proxy: " + checker.summary());
        Topology t = topology();
        assertEquals(4096, t.slotCount("g4"));
        verifyAll(c.port(), t);
    }

    /**
     * Pipelines of 10,000 INCRs on keys of slots that migrate one slot per step, sent back to back
     * while the migration runs, so that flips fall inside pipelines: every reply must be one more
     * than the last on its key (the commands of one connection run in the order sent), and the
     * final values are the number of INCRs sent.
     */
    @Test
    void pipelinesOfTenThousandIncrsAcrossFlips() throws Exception {
        startDatastore(3);
        ZkFixture.Proxy a = f.startProxy(CLUSTER);
        addEmptyG4();
        int first = 1000;
        int last = 1023;
        List<String> keys = keysInSlots("pipe:", first, last, 2);
        long[] expected = new long[keys.size()];
        long[] sent = new long[keys.size()];
        List<String> problems = new ArrayList<>();
        int pipelines = 0;
        int spanningAFlip = 0;
        try (Jedis j = ProxyCluster.client(a.port())) {
            AtomicReference<Cli> result = drive("migrate", CLUSTER, "--slot", first + "-" + last, "--to", "g4",
                    "--chunk-slots", "1", "--rate", "0", "--quiet");
            while (pipelines < 400 && (result.get() == null || pipelines < 2)) {
                long epochBefore = a.appliedEpoch();
                Pipeline p = j.pipelined();
                List<Response<Long>> replies = new ArrayList<>(10_000);
                for (int i = 0; i < 10_000; i++) {
                    replies.add(p.incr(keys.get(i % keys.size())));
                    sent[i % keys.size()]++;
                }
                p.sync();
                if (a.appliedEpoch() != epochBefore) {
                    spanningAFlip++;
                }
                long epochAfter = a.appliedEpoch();
                for (int i = 0; i < replies.size(); i++) {
                    int k = i % keys.size();
                    String where = "pipeline " + pipelines + " (epochs " + epochBefore + ".." + epochAfter + "), reply " + i
                            + " (INCR " + keys.get(k) + ", slot " + slot(keys.get(k)) + "): ";
                    long got;
                    try {
                        got = replies.get(i).get();
                    } catch (JedisDataException e) {
                        sent[k]--; // refused before it ran (TRYAGAIN)
                        if (problems.size() < 20) {
                            problems.add(where + e.getMessage());
                        }
                        continue;
                    }
                    if (got != expected[k] + 1 && problems.size() < 20) {
                        problems.add(where + got + ", expected " + (expected[k] + 1));
                    }
                    expected[k] = got;
                }
                pipelines++;
            }
            awaitDriver(result);
            assertEquals(List.of(), problems, pipelines + " pipelines, " + spanningAFlip + " spanning an epoch change; driver: "
                    + result.get());
            System.out.println("pipelines: " + pipelines + " of 10000 INCRs, " + spanningAFlip + " spanning an epoch change");
            ok(result.get());
            for (int k = 0; k < keys.size(); k++) {
                assertEquals(Long.toString(sent[k]), j.get(keys.get(k)), keys.get(k) + ": one per INCR sent");
            }
        }
        assertTrue(spanningAFlip > 0, "at least one pipeline spanned an epoch change (" + pipelines + " pipelines)");
        Topology t = topology();
        for (int s = first; s <= last; s++) {
            assertEquals("g4", t.owner(s));
        }
        verifyPlacement(t);
    }

    /** {@code --rate} slows the move down but it completes; every key of the slots is moved exactly once. */
    @Test
    void rateLimitedMoveCompletes() throws Exception {
        startDatastore(3);
        ZkFixture.Proxy a = f.startProxy(CLUSTER);
        preload(a.port());
        addEmptyG4();
        long inRange = bulkKeys().stream().filter(k -> slot(k) <= 2047).count();
        for (int l = 0; l < BULK_LISTS; l++) {
            inRange += slot("bulkl:" + l) <= 2047 ? 1 : 0;
        }

        JsonNode r = json(ok(admin("migrate", CLUSTER, "--slot", "0-2047", "--to", "g4", "--rate", "2500", "--json")));
        System.out.println("rate-limited move (--rate 2500): " + r);
        assertEquals(2048, r.path("slotsMoved").asLong());
        assertEquals(inRange, r.path("keysMoved").asLong(), "each key of the slots moved once");
        verifyAll(a.port(), topology());
    }

    /**
     * Cache mode's {@code --no-data} flips ownership and leaves the keys where they were: through
     * the proxy they are gone (a cache miss), new writes land on the new owner. A datastore
     * cluster refuses it.
     */
    @Test
    void noDataFlipsOwnershipWithoutMovingKeys() throws Exception {
        f = ZkFixture.start(5);
        f.createCluster(CLUSTER, 3); // cache mode
        ZkFixture.Proxy a = f.startProxy(CLUSTER);
        preload(a.port());
        addEmptyG4();
        long before = f.redis.get(0).dbSize();

        String out = ok(admin("reshard", CLUSTER, "--from", "g1", "--to", "g4", "--slots", "2000", "--no-data"));
        assertTrue(out.contains("done: 2000 slots and 0 keys"), out);
        Topology t = topology();
        assertEquals(2000, t.slotCount("g4"));
        assertEquals(before, f.redis.get(0).dbSize(), "no key left the old owner");
        assertEquals(0, f.redis.get(3).dbSize(), "no key reached the new owner");
        int moved = 0;
        try (Jedis j = ProxyCluster.client(a.port()); Jedis g1 = f.redis.get(0).client(); Jedis g4 = f.redis.get(3).client()) {
            for (String k : bulkKeys()) {
                String owner = t.owner(slot(k));
                if (!owner.equals("g4")) {
                    assertEquals(value(k), j.get(k), k + " on " + owner + " is untouched");
                } else if (moved++ < 200) {
                    assertNull(j.get(k), k + " (moved without its data) is a miss");
                    assertEquals(value(k), g1.get(k), k + " stays on the old owner");
                    j.set(k, "new");
                    assertEquals("new", g4.get(k), "a new write of " + k + " lands on the new owner");
                }
            }
        }
        assertTrue(moved > 0);

        Topology other = f.admin.create(Topology.create("ledger", ClusterMode.DATASTORE, List.of(
                Group.of("g1", f.address(4))))).value();
        assertEquals(1, other.groups().size());
        Cli refused = admin("rebalance", "ledger", "--no-data");
        assertEquals(2, refused.exit(), "datastore refuses --no-data: " + refused);
        assertTrue(refused.err().contains("cache mode only"), refused.err());
    }

    /**
     * After a {@code --no-data} flip the old owner still holds the slots' keys. Moving those slots
     * back with their data must not bring stale values back nor get stuck on them.
     */
    @Test
    void movingSlotsBackAfterANoDataFlipServesNoStaleValues() throws Exception {
        f = ZkFixture.start(4);
        f.createCluster(CLUSTER, 3); // cache mode
        ZkFixture.Proxy a = f.startProxy(CLUSTER);
        preload(a.port());
        addEmptyG4();
        ok(admin("migrate", CLUSTER, "--slot", "0-999", "--to", "g4", "--no-data"));
        List<String> rewritten = new ArrayList<>();
        List<String> untouched = new ArrayList<>();
        try (Jedis j = ProxyCluster.client(a.port())) {
            for (String k : bulkKeys()) {
                if (slot(k) <= 999 && k.startsWith("bulk:")) {
                    if (rewritten.size() <= untouched.size()) {
                        j.set(k, "new");
                        rewritten.add(k);
                    } else {
                        untouched.add(k);
                    }
                }
            }
        }
        Cli back = admin("migrate", CLUSTER, "--slot", "0-999", "--to", "g1", "--quiet");
        assertEquals(0, back.exit(), "moving the slots back: " + back);
        try (Jedis j = ProxyCluster.client(a.port())) {
            for (String k : rewritten) {
                assertEquals("new", j.get(k), k + " keeps the value written after the flip");
            }
            for (String k : untouched) {
                assertNull(j.get(k), k + " was dropped by the --no-data flip and must not come back with its old value");
            }
        }
        verifyPlacement(topology());
    }

    /**
     * {@code migrations --cancel} while a multi-step job runs: the job stops after the step under
     * way, nothing is left migrating, {@code migrations} shows nothing under way, and the checker
     * finds nothing wrong.
     */
    @Test
    void cancelStopsAfterTheCurrentStep() throws Exception {
        ZkFixture.Proxy b = startUnderLoadWithEmptyG4(false).b();

        AtomicReference<Cli> result = drive("rebalance", CLUSTER, "--rate", "2000", "--chunk-slots", "256");
        ZkFixture.await("the first step to be done", () -> result.get() != null || topology().slotCount("g4") > 0);
        assertNull(result.get(), "the job was still under way");
        ok(admin("migrations", CLUSTER, "--cancel"));
        awaitDriver(result);
        String out = ok(result.get());
        assertTrue(out.contains("cancelled: "), out);

        Topology t = topology();
        assertTrue(t.migrating().isEmpty(), "nothing left migrating");
        int moved = t.slotCount("g4");
        assertTrue(moved > 0 && moved < 4096, "stopped part-way: " + moved + " slots moved");
        assertEquals(0, moved % 256, "whole steps only: " + moved);
        assertTrue(ok(admin("migrations", CLUSTER)).contains("no migration under way"));
        assertFalse(json(ok(admin("migrations", CLUSTER, "--json"))).has("job"));
        awaitWrites(200);
        checker.stop();
        assertEquals(List.of(), checker.errors(), checker.summary());
        verifyAll(b.port(), t);
    }

    // ---------------------------------------------------------------------------------- fixture

    private void startDatastore(int groups) throws Exception {
        f = ZkFixture.start(groups + 1);
        List<Group> gs = new ArrayList<>();
        for (int i = 0; i < groups; i++) {
            gs.add(Group.of("g" + (i + 1), f.address(i)));
        }
        f.admin.create(Topology.create(CLUSTER, ClusterMode.DATASTORE, gs));
    }

    private Topology topology() {
        return f.admin.read(CLUSTER).value();
    }

    /** The two proxies of a test under load: writes go through both, the bulk keys were preloaded through {@code a}. */
    private record TwoProxies(ZkFixture.Proxy a, ZkFixture.Proxy b) {
    }

    /**
     * Three data-store groups, proxies a and b, the bulk keys preloaded through a, the checker's
     * clients running on both ({@code crossProxy}: see {@link #startChecker}), then redis-server 3
     * added as the empty group g4.
     */
    private TwoProxies startUnderLoadWithEmptyG4(boolean crossProxy) throws Exception {
        startDatastore(3);
        ZkFixture.Proxy a = f.startProxy(CLUSTER);
        ZkFixture.Proxy b = f.startProxy(CLUSTER);
        preload(a.port());
        startChecker(a, b, crossProxy);
        addEmptyG4();
        return new TwoProxies(a, b);
    }

    /** Adds redis-server 3 as group g4, with no slots yet, through the admin CLI. */
    private void addEmptyG4() {
        ok(admin("group", "add", CLUSTER, f.redis.get(3).address(), "--id", "g4"));
    }

    /** 4 writers (2 per proxy) and 2 readers; {@code crossProxy}: readers also read what was written through the other proxy. */
    private void startChecker(ZkFixture.Proxy a, ZkFixture.Proxy b, boolean crossProxy) {
        checker = new Checker(new int[] {a.port(), b.port()}, 4, 2, 16, crossProxy);
        checker.diagnostics(this::describeKey, this::describeProxy);
        checker.start();
        awaitWrites(200);
    }

    /** The key's slot, who owns it and where it migrates (in ZooKeeper), and which servers hold it now. */
    private String describeKey(String key) {
        try {
            Topology t = topology();
            int s = slot(key);
            StringBuilder b = new StringBuilder("slot " + s + " owned by " + t.owner(s) + " at epoch " + t.epoch());
            t.migrating().stream().filter(r -> r.start() <= s && s <= r.end()).findFirst()
                    .ifPresent(r -> b.append(", migrating to ").append(r.groupId()));
            for (int i = 0; i < f.redis.size(); i++) {
                try (Jedis direct = f.redis.get(i).client()) {
                    if (direct.exists(key)) {
                        b.append("; on server ").append(i).append(" (").append(f.redis.get(i).address()).append(")");
                    }
                }
            }
            for (ZkFixture.Proxy p : List.copyOf(f.proxies)) {
                b.append("; proxy ").append(p.port()).append(" at epoch ").append(p.appliedEpoch());
            }
            for (Group g : t.groups()) {
                b.append("; ").append(g.id()).append("=").append(g.master());
            }
            return b.toString();
        } catch (RuntimeException e) {
            return "(" + e + ")";
        }
    }

    private String describeProxy(int port) {
        for (ZkFixture.Proxy p : List.copyOf(f.proxies)) {
            if (p.port() == port) {
                return "epoch " + p.appliedEpoch();
            }
        }
        return "?";
    }

    /** Waits (bounded) until the checker's writers have done {@code n} more writes. */
    private void awaitWrites(long n) {
        long target = checker.writes.get() + n;
        ZkFixture.await(n + " more checker writes (" + checker.summary() + ")", () -> checker.writes.get() >= target);
    }

    // -------------------------------------------------------------------------------- admin CLI

    /** What one run of the admin CLI did. */
    record Cli(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "\n--- err:\n" + err;
        }
    }

    /** Runs {@code kvstore-admin --zk ZK args...} in this JVM. */
    private Cli admin(String... args) {
        long start = System.nanoTime();
        AdminCli.Result run = AdminCli.run(f, args);
        System.out.printf("kvstore-admin %s: exit %d in %d ms%n", String.join(" ", args), run.exit(), (System.nanoTime() - start) / 1_000_000);
        return new Cli(run.exit(), run.out(), run.err());
    }

    /** The output of a run that must have succeeded; if it failed, says where keys are out of place. */
    private String ok(Cli run) {
        if (run.exit() != 0) {
            String placement;
            try {
                verifyPlacement(topology());
                placement = "every key is where its slot's owner is";
            } catch (AssertionError e) {
                placement = e.getMessage();
            }
            fail("kvstore-admin failed: " + run + "\n--- placement: " + placement
                    + (checker == null ? "" : "\n--- checker: " + checker.summary() + " " + checker.violations()));
        }
        return run.out();
    }

    private static JsonNode json(String text) throws IOException {
        return JSON.readTree(text);
    }

    /** Runs the admin CLI on another thread; its result appears in the reference when it ends. */
    private AtomicReference<Cli> drive(String... args) {
        AtomicReference<Cli> result = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                result.set(admin(args));
            } catch (RuntimeException e) {
                result.set(new Cli(-1, "", e.toString()));
            }
        }, "admin-driver");
        t.setDaemon(true);
        drivers.add(t);
        t.start();
        return result;
    }

    private static void awaitDriver(AtomicReference<Cli> result) {
        Await.until("the admin command to end", Duration.ofSeconds(120), () -> result.get() != null);
    }

    /** {@code kvstore-admin --zk ZK args...} as a separate JVM on this test's classpath. */
    private Process adminProcess(String... args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                AdminMain.class.getName(), "--zk", f.zk.getConnectString()));
        cmd.addAll(List.of(args));
        File log = Files.createTempFile("kvstore-admin-", ".log").toFile();
        log.deleteOnExit();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
        children.add(p);
        return p;
    }

    /**
     * Polls (every 10 ms: a step may be under way only briefly; 60 s at most) until
     * {@code condition} holds; fails if {@code driver} ends first.
     */
    private static void pollUntil(Process driver, BooleanSupplier condition) {
        Await.until("a step of the driver under way", Duration.ofSeconds(60), Duration.ofMillis(10), () -> {
            if (condition.getAsBoolean()) {
                return true;
            }
            if (!driver.isAlive()) {
                fail("the driver ended (exit " + driver.exitValue() + ") before a step was under way");
            }
            return false;
        });
    }

    private JobStore jobs() {
        return new JobStore(f.admin, CLUSTER);
    }

    // ------------------------------------------------------------------------------------- data

    private static String value(String bulkKey) {
        return "v" + bulkKey.substring(bulkKey.indexOf(':'));
    }

    private static List<String> bulkKeys() {
        List<String> keys = new ArrayList<>(BULK);
        for (int i = 0; i < BULK; i++) {
            keys.add("bulk:" + i);
        }
        return keys;
    }

    private static int slot(String key) {
        return SlotHash.slot(key.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code perSlot} keys {@code prefix<n>} in each slot of {@code first..last}. */
    private static List<String> keysInSlots(String prefix, int first, int last, int perSlot) {
        Map<Integer, Integer> count = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int n = 0; keys.size() < (last - first + 1) * perSlot && n < 10_000_000; n++) {
            String k = prefix + n;
            int s = slot(k);
            if (s >= first && s <= last && count.merge(s, 1, Integer::sum) <= perSlot) {
                keys.add(k);
            }
        }
        return keys;
    }

    /** {@code bulk:i = v:i} (every 10th with a TTL) and lists {@code bulkl:j} of 10 elements, through a proxy. */
    private static void preload(int port) {
        try (Jedis j = ProxyCluster.client(port)) {
            Pipeline p = j.pipelined();
            for (int i = 0; i < BULK; i++) {
                p.set("bulk:" + i, "v:" + i);
                if (i % 10 == 0) {
                    p.expire("bulk:" + i, 100_000);
                }
            }
            for (int l = 0; l < BULK_LISTS; l++) {
                for (int e = 0; e < 10; e++) {
                    p.rpush("bulkl:" + l, "e" + e);
                }
            }
            p.sync();
        }
    }

    /** The checker's verdict, every preloaded key and TTL, and where every key lives. */
    private void verifyAll(int port, Topology t) {
        try (Jedis j = ProxyCluster.client(port)) {
            if (checker != null) {
                List<String> problems = checker.verify(j);
                assertEquals(List.of(), problems, checker.summary());
                System.out.println("checker: " + checker.summary());
            }
            Pipeline p = j.pipelined();
            List<Response<String>> values = new ArrayList<>();
            for (String k : bulkKeys()) {
                values.add(p.get(k));
            }
            List<Response<Long>> lengths = new ArrayList<>();
            for (int l = 0; l < BULK_LISTS; l++) {
                lengths.add(p.llen("bulkl:" + l));
            }
            Response<Long> ttl = p.ttl("bulk:0");
            Response<Long> noTtl = p.ttl("bulk:1");
            p.sync();
            List<String> wrong = new ArrayList<>();
            for (int i = 0; i < BULK && wrong.size() < 10; i++) {
                if (!("v:" + i).equals(values.get(i).get())) {
                    wrong.add("bulk:" + i + " = " + values.get(i).get());
                }
            }
            for (int l = 0; l < BULK_LISTS && wrong.size() < 10; l++) {
                if (lengths.get(l).get() != 10) {
                    wrong.add("bulkl:" + l + " has " + lengths.get(l).get() + " elements");
                }
            }
            assertEquals(List.of(), wrong, "preloaded keys");
            assertTrue(ttl.get() > 90_000, "TTL kept: " + ttl.get());
            assertEquals(-1L, noTtl.get());
        }
        verifyPlacement(t);
    }

    /** Scans every redis-server directly: each key is on the server that owns its slot, and only there. */
    private void verifyPlacement(Topology t) {
        List<String> misplaced = new ArrayList<>();
        long total = 0;
        for (int i = 0; i < f.redis.size(); i++) {
            RedisServer server = f.redis.get(i);
            try (Jedis direct = server.client()) {
                String cursor = "0";
                for (int page = 0; page < 100_000; page++) {
                    ScanResult<String> r = direct.scan(cursor, new ScanParams().count(1000));
                    for (String key : r.getResult()) {
                        total++;
                        int owner = f.ownerOf(t, key);
                        if (owner != i && misplaced.size() < 20) {
                            String type = direct.type(key);
                            misplaced.add(key + " (slot " + slot(key) + ", " + type
                                    + (type.equals("string") ? " " + direct.get(key) : "") + ") is on server " + i
                                    + ", its slot belongs to server " + owner);
                        }
                    }
                    cursor = r.getCursor();
                    if (cursor.equals("0")) {
                        break;
                    }
                }
            }
        }
        assertEquals(List.of(), misplaced, total + " keys scanned");
    }
}
