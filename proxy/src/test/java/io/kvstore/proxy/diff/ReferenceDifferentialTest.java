package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.kvstore.proxy.diff.DiffRunner.Mode;
import io.kvstore.proxy.diff.DiffRunner.Result;
import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.RedisProtocol;

/**
 * The differential scripts run with a second plain redis-server where the proxy would be (see
 * {@link DiffRunner#reference}): every script must give the same bytes on two Redis servers in
 * RESP3, line by line and pipelined. This checks the scripts (no reply that changes from server
 * to server slips in unsorted) and the harness itself (RESP3 parsing, the HELLO handshake, the
 * normalisers) whatever the proxy does. RESP3 only and keys spread only, to keep it short: the
 * RESP2 runs of {@link DifferentialTest} need the same of the scripts, and a hash tag changes
 * nothing on a single Redis.
 */
class ReferenceDifferentialTest {

    @RegisterExtension
    static final RedisServer first = RedisServer.perClass();

    @RegisterExtension
    static final RedisServer second = RedisServer.perClass();

    private static DiffRunner runner;

    @BeforeAll
    static void start() {
        runner = DiffRunner.reference(first.port(), second.port());
    }

    static Stream<Arguments> scripts() {
        List<Arguments> out = new ArrayList<>();
        for (String script : DifferentialTest.scriptNames()) {
            out.add(Arguments.of(script, RedisProtocol.RESP3, false));
            out.add(Arguments.of(script, RedisProtocol.RESP3, true));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} [{1}, pipelined={2}]")
    @MethodSource("scripts")
    void twoRedisServersAnswerAlike(String name, RedisProtocol protocol, boolean pipelined) {
        DiffRunner.resetEverything(List.of(first.port(), second.port()));
        DiffScript script = DiffScript.load("diff/" + name);
        Result result = pipelined ? runner.runPipelined(script, Mode.SPREAD, protocol)
                : runner.run(script, Mode.SPREAD, protocol);
        if (!result.mismatches().isEmpty()) {
            fail(result.mismatches().size() + " of " + result.commands() + " replies differ between two Redis servers"
                    + " in " + name + " [" + protocol + (pipelined ? ", pipelined" : "") + "]:\n  "
                    + String.join("\n  ", result.mismatches()));
        }
        assertTrue(result.commands() > 0, "nothing sent from " + name);
    }
}
