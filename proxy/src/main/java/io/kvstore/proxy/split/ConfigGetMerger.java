package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * CONFIG GET through the proxy: the groups' parameters, one value each (the first group's that
 * has it: groups that differ are not reported, kvstore-admin's config status is the place to see
 * drift), then the proxy's own settings matching the patterns, which replace a backend value of
 * the same name (maxclients, port, ... describe what the client connects to). A map in RESP3, a
 * flat array of pairs in RESP2, as the groups answered. Expects no error reply (wrapped in
 * {@link Merges#errorsFirst}). Immutable; runs on the client's event loop.
 */
public final class ConfigGetMerger implements Merger {

    private final Map<String, String> proxySettings;

    /** {@code proxySettings}: the proxy's settings that match the request's patterns. */
    public ConfigGetMerger(Map<String, String> proxySettings) {
        this.proxySettings = proxySettings;
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        Map<String, byte[]> merged = new LinkedHashMap<>();
        for (ByteBuf r : replies) {
            int at = r.readerIndex();
            long elements = ReplyReader.number(r, at) * (ReplyReader.type(r) == '%' ? 2 : 1);
            at = ReplyReader.afterLine(r, at);
            for (long i = 0; i + 1 < elements; i += 2) {
                String name = new String(ReplyReader.bulk(r, at), StandardCharsets.UTF_8);
                at = ReplyReader.end(r, at);
                merged.putIfAbsent(name, ReplyReader.bulk(r, at));
                at = ReplyReader.end(r, at);
            }
        }
        proxySettings.forEach((k, v) -> merged.put(k, v.getBytes(StandardCharsets.UTF_8)));
        ByteBuf out = alloc.buffer();
        Replies.writeMapHeader(out, ReplyReader.type(replies[0]) == '%' ? 3 : 2, merged.size());
        merged.forEach((k, v) -> {
            Replies.writeBulk(out, k.getBytes(StandardCharsets.UTF_8));
            Replies.writeBulk(out, v);
        });
        return out;
    }
}
