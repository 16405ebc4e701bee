package io.kvstore.proxy.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The per-loop recorders and their merge on read: nothing lost between reads, loops summed. */
class ProxyStatsTest {

    private static final ByteBuf OK = Unpooled.copiedBuffer("+OK\r\n", StandardCharsets.US_ASCII);
    private static final ByteBuf ERR = Unpooled.copiedBuffer("-ERR no\r\n", StandardCharsets.US_ASCII);

    @Test
    void loopsOnTheirOwnThreadsAreSummedAndReadsAccumulate() throws Exception {
        ProxyStats stats = new ProxyStats();
        Thread[] loops = new Thread[2];
        for (int t = 0; t < loops.length; t++) {
            LoopStats loop = stats.newLoop();
            loops[t] = new Thread(() -> {
                CommandStats get = loop.command("get");
                for (int i = 0; i < 1000; i++) {
                    get.replied(System.nanoTime() - 1_000_000, i % 10 == 0 ? ERR : OK, false);
                }
                loop.command("bgsave").replied(System.nanoTime(), ERR, true);
            });
            loops[t].start();
        }
        for (Thread t : loops) {
            t.join(10_000);
        }
        Figures get = byName(stats.commands(), "get");
        assertEquals(2000, get.calls());
        assertEquals(2000, get.histogram().getTotalCount());
        assertEquals(200, get.failed());
        assertTrue(get.percentileMicros(50) >= 990, get.percentiles()); // every call took at least 1 ms
        Figures bgsave = byName(stats.commands(), "bgsave");
        assertEquals(0, bgsave.calls());
        assertEquals(2, bgsave.rejected());
        assertEquals(2000, byName(stats.commands(), "get").histogram().getTotalCount(), "a second read keeps the first's");
        assertTrue(stats.latencyStatsSection().contains("latency_percentiles_usec_get:p50="));
        assertTrue(!stats.latencyStatsSection().contains("bgsave"), "no latency for a command never run");
    }

    @Test
    void backendTimeMatchesRepliesToSendsInOrderPastTheRingsFirstSize() {
        ProxyStats stats = new ProxyStats();
        HostPort server = HostPort.parse("127.0.0.1:6379");
        BackendTimer timer = stats.newLoop().backendTimer(server);
        for (int i = 0; i < 40; i++) {
            timer.sent();
            if (i % 16 == 15) {
                timer.flushed(); // stamps the requests written since the last flush
            }
        }
        timer.flushed();
        for (int i = 0; i < 30; i++) {
            timer.replied(i == 0 ? ERR : OK);
        }
        timer.lost(); // 10 still in flight
        timer.failed();
        Figures f = stats.backends().get(server);
        assertEquals(30, f.calls());
        assertEquals(12, f.failed());
        timer.sent();
        timer.flushed();
        timer.replied(OK);
        timer.sinkDone();
        assertEquals(31, stats.backends().get(server).calls(), "the ring starts over after a loss");
    }

    @Test
    void timingOffRecordsNoBackendTime() {
        ProxyStats stats = new ProxyStats();
        stats.enabled(false);
        HostPort server = HostPort.parse("127.0.0.1:6379");
        BackendTimer timer = stats.newLoop().backendTimer(server);
        timer.connected();
        timer.sent();
        timer.flushed();
        timer.replied(ERR);
        assertEquals(Map.of(), stats.backends());
        assertEquals(1, stats.backendEvents().get(server)[0], "connection events are counted with timing off too");
    }

    @Test
    void resetStartsEveryFigureOverAndKeepsCounting() {
        ProxyStats stats = new ProxyStats();
        LoopStats loop = stats.newLoop();
        HostPort server = HostPort.parse("127.0.0.1:6379");
        BackendTimer timer = loop.backendTimer(server);
        CommandStats get = loop.command("get");
        for (int i = 0; i < 5; i++) {
            get.replied(System.nanoTime(), ERR, false);
            timer.sent();
            timer.flushed();
            timer.replied(ERR);
        }
        assertEquals(5, byName(stats.commands(), "get").calls());
        stats.reset();
        assertEquals(0, byName(stats.commands(), "get").calls());
        assertEquals(0, byName(stats.commands(), "get").histogram().getTotalCount());
        assertEquals(0L, stats.errors().get(ErrorKind.ERR));
        assertEquals(0, stats.backends().get(server).calls());
        get.replied(System.nanoTime(), ERR, false);
        timer.sent();
        timer.flushed();
        timer.replied(OK);
        Figures after = byName(stats.commands(), "get");
        assertEquals(1, after.calls());
        assertEquals(1, after.failed());
        assertEquals(1, after.histogram().getTotalCount());
        assertEquals(1L, stats.errors().get(ErrorKind.ERR));
        assertEquals(1, stats.backends().get(server).calls());
        assertEquals(0, stats.backends().get(server).failed());
    }

    @Test
    void errorKindsByFirstWordInRespTwoAndThree() {
        assertEquals(ErrorKind.CROSSSLOT, kind("-CROSSSLOT Keys in request don't hash to the same slot\r\n"));
        assertEquals(ErrorKind.ERR, kind("-ERR connection to backend 127.0.0.1:1 lost\r\n"));
        assertEquals(ErrorKind.OTHER, kind("-WRONGTYPE Operation against a key\r\n"));
        assertEquals(ErrorKind.OTHER, kind("-ERRORS are not ERR\r\n"));
        assertEquals(ErrorKind.CLUSTERDOWN, kind("!16\r\nCLUSTERDOWN g1 x\r\n"));
    }

    private static ErrorKind kind(String reply) {
        return ErrorKind.of(Unpooled.copiedBuffer(reply, StandardCharsets.US_ASCII));
    }

    private static Figures byName(List<Figures> all, String name) {
        return all.stream().filter(f -> f.name().equals(name)).findFirst().orElseThrow();
    }
}
