package io.kvstore.proxy.session;

import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * ACL LOG: this proxy's latest access denials (failed AUTHs, refused commands, keys and channels),
 * newest first, at most {@code --acllog-max-len}, in Redis's fields. As Redis does, a denial like
 * one of the ten newest (same reason, context, object and user, within a minute of it) is folded
 * into it: its count grows, its time and client are renewed and it moves to the front. Each
 * proxy keeps its own log.
 *
 * <p>Thread-safe: every event loop records here, but only when it refuses something, never on
 * an allowed request, so a monitor is cheap enough. Invariant: {@code entries.size() <= maxLen}.
 */
public final class AclLog {

    /** Redis's default acllog-max-len. */
    public static final int DEFAULT_MAX_LEN = 128;
    /** How many of the newest entries a denial may be folded into, and within what time (Redis's values). */
    private static final int GROUP_SCAN = 10;
    private static final long GROUP_MILLIS = 60_000;

    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private int maxLen = DEFAULT_MAX_LEN;

    /** One line of the log; mutable, guarded by the log's monitor. */
    private static final class Entry {
        final String reason;
        final String context;
        final String object;
        final String user;
        long count = 1;
        long createdMillis;
        String clientInfo;

        Entry(String reason, String context, String object, String user, long now, String clientInfo) {
            this.reason = reason;
            this.context = context;
            this.object = object;
            this.user = user;
            this.createdMillis = now;
            this.clientInfo = clientInfo;
        }

        boolean sameAs(String r, String c, String o, String u, long now) {
            return reason.equals(r) && context.equals(c) && object.equals(o) && user.equals(u) && now - createdMillis <= GROUP_MILLIS;
        }
    }

    /** The {@code --acllog-max-len} in force. */
    public synchronized int maxLen() {
        return maxLen;
    }

    /** {@code --acllog-max-len}; 0 keeps no entries. */
    public synchronized void maxLen(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("--acllog-max-len must be 0 or more, not " + n);
        }
        maxLen = n;
        trim();
    }

    /**
     * Records a denial: {@code reason} is auth, command, key or channel; {@code context} toplevel or
     * multi; {@code object} the command, key or channel name ("auth" for a failed AUTH).
     */
    synchronized void add(String reason, String context, String object, String user, String clientInfo) {
        long now = System.currentTimeMillis();
        Iterator<Entry> it = entries.iterator();
        for (int i = 0; i < GROUP_SCAN && it.hasNext(); i++) {
            Entry e = it.next();
            if (e.sameAs(reason, context, object, user, now)) {
                it.remove();
                e.count++;
                e.createdMillis = now;
                e.clientInfo = clientInfo;
                entries.addFirst(e);
                return;
            }
        }
        entries.addFirst(new Entry(reason, context, object, user, now, clientInfo));
        trim();
    }

    synchronized void reset() {
        entries.clear();
    }

    private void trim() {
        while (entries.size() > maxLen) {
            entries.removeLast();
        }
    }

    /** The reply to ACL LOG [count]: the newest {@code count} entries, each a map of Redis 7.0's seven fields. */
    synchronized ByteBuf reply(ByteBufAllocator alloc, int protocol, long count) {
        long n = Math.max(0, Math.min(count, entries.size()));
        ByteBuf buf = alloc.buffer((int) Math.min(1 << 20, 64 + n * 512));
        RespWriter.writeArrayHeader(buf, n);
        long now = System.currentTimeMillis();
        Iterator<Entry> it = entries.iterator();
        for (long i = 0; i < n; i++) {
            Entry e = it.next();
            RespWriter.writeMapHeader(buf, protocol, 7);
            bulk(buf, "count");
            RespWriter.writeInteger(buf, e.count);
            field(buf, "reason", e.reason);
            field(buf, "context", e.context);
            field(buf, "object", e.object);
            field(buf, "username", e.user);
            bulk(buf, "age-seconds");
            long millis = Math.max(0, now - e.createdMillis);
            String age = millis / 1000 + "." + String.format("%03d", millis % 1000); // never in E notation
            if (protocol == 3) {
                RespWriter.writeDouble(buf, age);
            } else {
                bulk(buf, age);
            }
            field(buf, "client-info", e.clientInfo);
        }
        return buf;
    }

    private static void field(ByteBuf buf, String name, String value) {
        bulk(buf, name);
        bulk(buf, value);
    }

    private static void bulk(ByteBuf buf, String s) {
        RespWriter.writeBulk(buf, s.getBytes(StandardCharsets.UTF_8));
    }
}
