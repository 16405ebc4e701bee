package io.kvstore.proxy.stats;

import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * LATENCY LATEST, HISTORY and RESET answered from the proxy's {@link LatencyMonitor}, in Redis's
 * reply layout (checked against redis-server 7.0.15; the same in RESP2 and RESP3): LATEST an
 * array of [event, Unix time, latest ms, max ms], HISTORY an array of [Unix time, ms], RESET the
 * number of events reset. Stateless.
 */
public final class LatencyReplies {

    private LatencyReplies() {
    }

    /** The reply to {@code latency|latest}, {@code latency|history} or {@code latency|reset}. */
    public static ByteBuf execute(ByteBufAllocator alloc, LatencyMonitor monitor, String subcommand, Request request) {
        ByteBuf buf = alloc.buffer();
        switch (subcommand) {
            case "latency|latest" -> {
                List<LatencyMonitor.Latest> latest = monitor.latest();
                RespWriter.writeArrayHeader(buf, latest.size());
                for (LatencyMonitor.Latest l : latest) {
                    RespWriter.writeArrayHeader(buf, 4);
                    RespWriter.writeBulk(buf, l.event().getBytes(StandardCharsets.US_ASCII));
                    RespWriter.writeInteger(buf, l.unixSeconds());
                    RespWriter.writeInteger(buf, l.millis());
                    RespWriter.writeInteger(buf, l.maxMillis());
                }
            }
            case "latency|history" -> {
                List<LatencyMonitor.Sample> samples = monitor.history(request.argString(2));
                RespWriter.writeArrayHeader(buf, samples.size());
                for (LatencyMonitor.Sample s : samples) {
                    RespWriter.writeArrayHeader(buf, 2);
                    RespWriter.writeInteger(buf, s.unixSeconds());
                    RespWriter.writeInteger(buf, s.millis());
                }
            }
            default -> { // latency|reset
                List<String> names = new ArrayList<>();
                for (int i = 2; i < request.argCount(); i++) {
                    names.add(request.argString(i));
                }
                RespWriter.writeInteger(buf, monitor.reset(names));
            }
        }
        return buf;
    }
}
