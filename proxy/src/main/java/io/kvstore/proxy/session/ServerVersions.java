package io.kvstore.proxy.session;

import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The Redis version the proxy presents (HELLO; INFO's {@code redis_version} follows the same
 * rule): the lowest {@code redis_version} of the groups' masters, so a client never relies on a
 * command some group lacks. Each master's version is learned once, by an {@code INFO server} sent
 * on the asking client's shared connection when a master is not known yet, and kept for the life
 * of the proxy (a master replaced by failover is another address, learned anew).
 *
 * <p>Shared by every event loop: the map is concurrent; a lookup never waits, and a probe's reply
 * comes back on the loop of the client that sent it.
 */
final class ServerVersions {

    /** What is presented when no master could be asked (all down): the command set the proxy was built against. */
    static final String BUILT_AGAINST = "7.0.0";

    private final Map<HostPort, String> byMaster = new ConcurrentHashMap<>();

    /** Calls {@code then} with the lowest version of {@code map}'s masters: at once when all are known, else once the probes answered. */
    void lowest(ClientSession session, SlotMap map, Consumer<String> then) {
        List<Integer> unknown = new ArrayList<>();
        for (int g = 0; g < map.groups().size(); g++) {
            if (!map.isGroupDown(g) && !byMaster.containsKey(map.groups().get(g).master())) {
                unknown.add(g);
            }
        }
        if (unknown.isEmpty()) {
            then.accept(lowestKnown(map));
            return;
        }
        int[] outstanding = {unknown.size()};
        for (int g : unknown) {
            HostPort master = map.groups().get(g).master();
            ByteBuf frame = Request.of(session.alloc(), List.of("INFO".getBytes(StandardCharsets.US_ASCII),
                    "server".getBytes(StandardCharsets.US_ASCII))).frame();
            session.worker().backends().master(map, g, (int) session.id(), session.protocol()).send(frame, new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    try {
                        String version = versionIn(reply);
                        if (version != null) {
                            byMaster.put(master, version);
                        }
                    } finally {
                        reply.release();
                    }
                    answered();
                }

                @Override
                public void onFailure(String message) {
                    answered(); // unreachable: the others decide
                }

                private void answered() {
                    if (--outstanding[0] == 0) {
                        then.accept(lowestKnown(map));
                    }
                }
            });
        }
    }

    private String lowestKnown(SlotMap map) {
        String lowest = null;
        for (var group : map.groups()) {
            String v = byMaster.get(group.master());
            if (v != null && (lowest == null || io.kvstore.proxy.split.InfoFormat.compareVersions(v, lowest) < 0)) {
                lowest = v;
            }
        }
        return lowest == null ? BUILT_AGAINST : lowest;
    }

    /** The {@code redis_version} of an INFO server reply; null when it has none (an error). */
    private static String versionIn(ByteBuf reply) {
        if (ReplyReader.isError(reply)) {
            return null;
        }
        byte[] text = ReplyReader.bulk(reply, reply.readerIndex());
        if (text == null) {
            return null;
        }
        for (String line : new String(text, StandardCharsets.UTF_8).split("\r\n")) {
            if (line.startsWith("redis_version:")) {
                return line.substring("redis_version:".length());
            }
        }
        return null;
    }
}
