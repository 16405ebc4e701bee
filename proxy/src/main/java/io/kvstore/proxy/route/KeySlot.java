package io.kvstore.proxy.route;

import io.kvstore.config.RewrittenKey;
import io.kvstore.config.SlotHash;
import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

/**
 * {@link SlotHash} applied to a key that sits inside a Netty buffer, without copying it (a
 * rewritten key, {@link RewrittenKey}, is copied and hashed by its logical name). Stateless.
 */
public final class KeySlot {

    private KeySlot() {
    }

    /** The slot of the key {@code buf[off, off+len)}, honouring the first non-empty {@code {hash tag}}. */
    public static int of(ByteBuf buf, int off, int len) {
        if (len > 3 && buf.getByte(off) == RewrittenKey.MARK) { // perhaps a rewritten key: hashed by its logical name
            byte[] key = new byte[len];
            buf.getBytes(off, key);
            return SlotHash.slot(key);
        }
        int open = len == 0 ? -1 : buf.forEachByte(off, len, OPEN_BRACE);
        if (open >= 0) {
            int rest = off + len - open - 1;
            int close = rest == 0 ? -1 : buf.forEachByte(open + 1, rest, CLOSE_BRACE);
            if (close > open + 1) {
                return crc(buf, open + 1, close - open - 1);
            }
        }
        return crc(buf, off, len);
    }

    private static final ByteProcessor OPEN_BRACE = new ByteProcessor.IndexOfProcessor((byte) '{');
    private static final ByteProcessor CLOSE_BRACE = new ByteProcessor.IndexOfProcessor((byte) '}');

    private static int crc(ByteBuf buf, int off, int len) {
        int crc = 0;
        for (int i = off, end = off + len; i < end; i++) {
            crc = SlotHash.update(crc, buf.getByte(i));
        }
        return crc & (SlotHash.SLOTS - 1);
    }
}
