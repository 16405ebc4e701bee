package io.kvstore.proxy.resp;

import io.netty.buffer.ByteBuf;

/** Decimal integers read from and written to buffers without going through String. Stateless. */
public final class Numbers {

    /** Returned by {@link #parseLong} when the bytes are not a decimal integer. */
    public static final long INVALID = Long.MIN_VALUE;

    private Numbers() {
    }

    /** Parses {@code [+-]?[0-9]+} from {@code buf[off, off+len)}; {@link #INVALID} on anything else or overflow. */
    public static long parseLong(ByteBuf buf, int off, int len) {
        if (len <= 0 || len > 20) {
            return INVALID;
        }
        int i = off;
        int end = off + len;
        boolean negative = false;
        byte first = buf.getByte(i);
        if (first == '-' || first == '+') {
            negative = first == '-';
            if (++i == end) {
                return INVALID;
            }
        }
        long value = 0;
        for (; i < end; i++) {
            int d = buf.getByte(i) - '0';
            if (d < 0 || d > 9) {
                return INVALID;
            }
            if (value > (Long.MAX_VALUE - d) / 10) {
                return INVALID;
            }
            value = value * 10 + d;
        }
        return negative ? -value : value;
    }
}
