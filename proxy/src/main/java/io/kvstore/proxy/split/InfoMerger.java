package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.Replies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * INFO through the proxy: the first group's text (server, memory, ... describe one redis-server;
 * summing them would be meaningless), with the {@code # Keyspace} figures summed over all groups
 * and a {@code # Proxy} section describing kvstore itself. A section the proxy's text also has
 * (its own {@code # Commandstats}, {@code # Latencystats}) replaces the group's. Immutable.
 */
public final class InfoMerger implements Merger {

    private final Supplier<String> proxySection;

    public InfoMerger(Supplier<String> proxySection) {
        this.proxySection = proxySection;
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        for (ByteBuf r : replies) {
            if (ReplyReader.isError(r)) {
                return r.retainedDuplicate();
            }
        }
        Map<String, long[]> keyspace = new LinkedHashMap<>();
        for (ByteBuf r : replies) {
            for (String line : text(r).split("\r\n")) {
                if (line.startsWith("db") && line.contains(":keys=")) {
                    long[] sums = keyspace.computeIfAbsent(line.substring(0, line.indexOf(':')), k -> new long[3]);
                    String[] fields = line.substring(line.indexOf(':') + 1).split(",");
                    for (int i = 0; i < Math.min(3, fields.length); i++) {
                        sums[i] += Long.parseLong(fields[i].substring(fields[i].indexOf('=') + 1));
                    }
                }
            }
        }
        String proxy = proxySection.get();
        StringBuilder out = new StringBuilder();
        boolean inKeyspace = false;
        boolean replaced = false; // a section the proxy gives itself (its commandstats, latencystats)
        for (String line : text(replies[0]).split("\r\n")) {
            if (line.startsWith("# ")) {
                replaced = proxy.contains(line + "\r\n");
            }
            if (replaced) {
                continue;
            }
            if (line.startsWith("# ")) {
                inKeyspace = line.equals("# Keyspace");
                out.append(line).append("\r\n");
                if (inKeyspace) {
                    keyspace.forEach((db, s) -> out.append(db).append(":keys=").append(s[0]).append(",expires=")
                            .append(s[1]).append(",avg_ttl=").append(replies.length == 0 ? 0 : s[2] / replies.length).append("\r\n"));
                }
            } else if (!inKeyspace || line.isEmpty()) {
                out.append(line).append("\r\n");
            }
        }
        if (!proxy.isEmpty()) {
            out.append(out.length() > 0 ? "\r\n" : "").append(proxy); // sections are separated by one blank line
        }
        // The groups answered in the client's protocol: a verbatim string in RESP3, a bulk string in RESP2.
        int protocol = ReplyReader.type(replies[0]) == '=' ? 3 : 2;
        return Replies.verbatim(alloc, protocol, out.toString());
    }

    private static String text(ByteBuf reply) {
        byte[] b = ReplyReader.bulk(reply, reply.readerIndex());
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
