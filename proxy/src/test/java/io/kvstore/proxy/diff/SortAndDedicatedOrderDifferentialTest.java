package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.fail;

import io.kvstore.proxy.diff.DiffRunner.Mode;
import io.kvstore.proxy.diff.DiffRunner.Result;
import io.kvstore.proxy.it.support.ProxyCluster;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisProtocol;

/**
 * Differential scripts ({@code src/test/resources/diff-bugs/}) on which the proxy once answered
 * unlike a single Redis and now must not: SORT's BY/GET patterns are not keys, and a pipeline that
 * mixes the client's dedicated connection with the shared ones keeps its order. (Named "known
 * bugs" while they failed; they pass since the fixes.)
 */
class SortAndDedicatedOrderDifferentialTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @RegisterExtension
    static final RedisServer plain = RedisServer.perClass();

    @Test
    void sortPatternsAreNotKeys() {
        assertMatches("sort-keys.txt");
    }

    /**
     * A pipeline mixing commands the proxy sends on the client's dedicated backend connection
     * (blocking commands, MULTI/EXEC, WATCH) with commands it sends on the shared ones: Redis runs
     * a connection's commands in order, the proxy lets the two connections race, so a read after
     * EXEC misses the transaction's writes and XREADGROUP runs before XGROUP CREATE. Runs the
     * focused script and every diff script that DifferentialTest does not pipeline for this reason.
     */
    @Test
    void pipelineKeepsOrderAcrossDedicatedConnections() {
        List<String> scripts = new ArrayList<>(List.of("diff-bugs/pipeline-order.txt"));
        for (String name : DifferentialTest.scriptNames()) {
            if (DiffScript.load("diff/" + name).usesDedicatedConnections()) {
                scripts.add("diff/" + name);
            }
        }
        assertMatches(scripts, true);
    }

    private static void assertMatches(String script) {
        assertMatches(List.of("diff-bugs/" + script), false);
    }

    private static void assertMatches(List<String> scripts, boolean pipelined) {
        DiffRunner runner = new DiffRunner(plain.port(), cluster.port(), cluster.map());
        List<String> problems = new ArrayList<>();
        for (String script : scripts) {
            for (Mode mode : Mode.values()) {
                check(runner, script, mode, pipelined, problems);
            }
        }
        if (!problems.isEmpty()) {
            fail(String.join("\n  ", problems));
        }
    }

    private static void check(DiffRunner runner, String script, Mode mode, boolean pipelined, List<String> problems) {
        DiffRunner.resetEverything(cluster, plain);
        String run = script + " [" + mode + (pipelined ? ", pipelined" : "") + "] ";
        Result r;
        try {
            DiffScript s = DiffScript.load(script);
            RedisProtocol resp2 = RedisProtocol.RESP2;
            r = pipelined ? runner.runPipelined(s, mode, resp2) : runner.run(s, mode, resp2);
        } catch (RuntimeException e) {
            problems.add(run + "the run broke off: " + e);
            return;
        }
        r.mismatches().forEach(m -> problems.add(run + m));
    }
}
