package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvstore.proxy.diff.DiffRunner.Difference;
import io.kvstore.proxy.diff.DiffRunner.Mode;
import io.kvstore.proxy.diff.DiffRunner.Result;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisProtocol;

/**
 * The differential harness (issue #3): every script under {@code src/test/resources/diff/} runs
 * against one plain redis-server and through kvstore over three shards, once with keys as
 * written (spread over the shards) and once with every key in one slot, and every reply must be
 * byte-for-byte the same, after sorting the ones Redis gives in no defined order. Differences the
 * proxy makes on purpose are marked in the scripts and asserted as such; all of them are written
 * to {@code target/diff-differences.txt} and the test output.
 *
 * <p>Every script runs in RESP2 and in RESP3: in a RESP3 run every connection, to Redis and to
 * the proxy, first sends {@code HELLO 3} (see {@link RawRespClient#connect(int, String,
 * RedisProtocol)}) and every later reply is compared in RESP3.
 *
 * <p>Each script also runs pipelined: all of it written in one go, the replies read afterwards;
 * scripts with blocking commands or transactions too, whose commands the proxy runs on a
 * dedicated backend connection (see
 * {@link SortAndDedicatedOrderDifferentialTest#pipelineKeepsOrderAcrossDedicatedConnections}).
 *
 * <p>Both sides start each script empty: FLUSHALL, SCRIPT FLUSH and FUNCTION FLUSH straight on
 * every shard and on the plain server.
 */
class DifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    private static DiffRunner runner;
    private static final List<Difference> DIFFERENCES = Collections.synchronizedList(new ArrayList<>());

    @BeforeAll
    static void start() {
        runner = new DiffRunner(plain.port(), cluster.port(), cluster.map());
    }

    @AfterAll
    static void stop() throws IOException {
        writeReport();
    }

    static Stream<Arguments> scripts() {
        List<Arguments> out = new ArrayList<>();
        for (String script : scriptNames()) {
            // dedicated and shared connections keep the client's order (ClientSession.holdForSwitch): all pipelinable
            modes().forEach(m -> out.add(Arguments.of(script, m.get()[0], m.get()[1], m.get()[2])));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} [{1}, {2}, pipelined={3}]")
    @MethodSource("scripts")
    void repliesMatchSingleRedis(String script, Mode mode, RedisProtocol protocol, boolean pipelined) {
        check(DiffScript.load("diff/" + script), mode, protocol, pipelined);
    }

    /** MSET/MGET/EXISTS/DEL/UNLINK/TOUCH of 1000 keys, the split commands at a size where every group has many. */
    @ParameterizedTest(name = "[{0}, {1}, pipelined={2}]")
    @MethodSource("modes")
    void largeSplitCommands(Mode mode, RedisProtocol protocol, boolean pipelined) {
        StringBuilder keys = new StringBuilder();
        StringBuilder pairs = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            keys.append(" $Tbig:").append(i);
            pairs.append(" $Tbig:").append(i).append(" value-").append(i);
        }
        String text = "@spans MSET" + pairs + "\n"
                + "@spans MGET" + keys + " $Tbig:none\n"
                + "@spans EXISTS" + keys + keys + "\n"
                + "@spans TOUCH" + keys + "\n"
                + "DBSIZE\n"
                + "@spans DEL" + keys.substring(0, keys.length() / 2) + "\n"
                + "@spans UNLINK" + keys + "\n"
                + "DBSIZE\n"
                + "@spans MGET" + keys + "\n";
        check(DiffScript.parse("generated: 1000-key split commands", text), mode, protocol, pipelined);
    }

    /** Scripts that touch only their own keys (no KEYS, SCAN, DBSIZE, INFO, FLUSH ...), so two can run at once. */
    private static final List<String> KEYS_ONLY = List.of("strings.txt", "hashes.txt", "sets.txt", "zsets.txt",
            "resp3-aggregates.txt", "resp3-doubles.txt", "resp3-nulls.txt");

    /**
     * A RESP2 client and a RESP3 client through the same proxy at the same time, line by line
     * and pipelined, on keys the other does not touch (spread, and under one hash tag): the
     * proxy's backend connections of the two protocols are in use at once, and no reply may
     * reach a client in the other's protocol or out of order.
     */
    @Test
    void resp2AndResp3ClientsAtOnce() throws Exception {
        DiffRunner.resetEverything(cluster, plain);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<List<String>> two = pool.submit(() -> runAll(Mode.SPREAD, RedisProtocol.RESP2));
            Future<List<String>> three = pool.submit(() -> runAll(Mode.TAGGED, RedisProtocol.RESP3));
            List<String> mismatches = new ArrayList<>(two.get(5, TimeUnit.MINUTES));
            mismatches.addAll(three.get(5, TimeUnit.MINUTES));
            if (!mismatches.isEmpty()) {
                fail(mismatches.size() + " replies differ from a single Redis with RESP2 and RESP3 clients at once:\n  "
                        + String.join("\n  ", mismatches));
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "the script threads stopped");
        }
    }

    /** Every {@link #KEYS_ONLY} script line by line, then pipelined; the mismatches, named by run. */
    private static List<String> runAll(Mode mode, RedisProtocol protocol) {
        List<String> out = new ArrayList<>();
        for (String name : KEYS_ONLY) {
            DiffScript script = DiffScript.load("diff/" + name);
            for (boolean pipelined : new boolean[] {false, true}) {
                Result r = pipelined ? runner.runPipelined(script, mode, protocol) : runner.run(script, mode, protocol);
                r.mismatches().forEach(m -> out.add(name + " [" + mode + ", " + protocol
                        + (pipelined ? ", pipelined" : "") + "] " + m));
            }
        }
        return out;
    }

    /** Every way to run a script: key mode, protocol, pipelined or not. */
    static Stream<Arguments> modes() {
        List<Arguments> out = new ArrayList<>();
        for (Mode mode : Mode.values()) {
            for (RedisProtocol protocol : RedisProtocol.values()) {
                out.add(Arguments.of(mode, protocol, false));
                out.add(Arguments.of(mode, protocol, true));
            }
        }
        return out.stream();
    }

    private static void check(DiffScript script, Mode mode, RedisProtocol protocol, boolean pipelined) {
        DiffRunner.resetEverything(cluster, plain);
        Result result = pipelined ? runner.runPipelined(script, mode, protocol) : runner.run(script, mode, protocol);
        if (!pipelined) {
            DIFFERENCES.addAll(result.differences()); // the pipelined run finds the same ones again
        }
        String run = script.name() + " [" + mode + ", " + protocol + (pipelined ? ", pipelined" : "") + "]";
        if (!result.mismatches().isEmpty()) {
            fail(result.mismatches().size() + " of " + result.commands() + " replies differ from a single Redis in "
                    + run + ":\n  " + String.join("\n  ", result.mismatches()));
        }
        assertTrue(result.commands() > 0, "empty script " + run);
    }

    /** The script files, sorted by name. */
    static List<String> scriptNames() {
        URL dir = DifferentialTest.class.getClassLoader().getResource("diff");
        if (dir == null) {
            throw new IllegalStateException("no diff/ scripts on the test class path");
        }
        try (Stream<Path> files = Files.list(Paths.get(dir.toURI()))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".txt")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeReport() throws IOException {
        StringBuilder sb = new StringBuilder("Known differences from a single Redis (asserted by the diff scripts): "
                + DIFFERENCES.size() + "\n");
        synchronized (DIFFERENCES) {
            for (Difference d : DIFFERENCES) {
                sb.append("  ").append(d).append('\n');
            }
        }
        System.out.println(sb);
        Path target = Paths.get("target");
        if (Files.isDirectory(target)) {
            Files.writeString(target.resolve("diff-differences.txt"), sb.toString());
        }
    }
}
