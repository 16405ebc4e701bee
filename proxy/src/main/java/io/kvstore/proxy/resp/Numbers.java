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

    /**
     * Appends {@code value} in decimal. Writes the digits in place instead of going through
     * {@code Long.toString}, which allocated a String and its bytes for every length header of
     * every reply the proxy builds (MGET merges, split fragments).
     */
    public static void writeDecimal(ByteBuf buf, long value) {
        if (value == Long.MIN_VALUE) { // the one value whose negation overflows; never a length
            buf.writeBytes(MIN_VALUE);
            return;
        }
        long n = value;
        if (n < 0) {
            buf.writeByte('-');
            n = -n;
        }
        int digits = digits(n);
        buf.ensureWritable(digits);
        int at = buf.writerIndex();
        for (int i = at + digits - 1; i >= at; i--) {
            buf.setByte(i, (int) ('0' + n % 10));
            n /= 10;
        }
        buf.writerIndex(at + digits);
    }

    /** How many bytes {@link #writeDecimal} writes for {@code value}, sign included. */
    public static int decimalLength(long value) {
        if (value == Long.MIN_VALUE) {
            return MIN_VALUE.length;
        }
        return value < 0 ? digits(-value) + 1 : digits(value);
    }

    /** Digits of {@code n >= 0}. */
    private static int digits(long n) {
        int digits = 1;
        for (long p = 10; digits < 19 && n >= p; p *= 10) {
            digits++;
        }
        return digits;
    }

    private static final byte[] MIN_VALUE = Long.toString(Long.MIN_VALUE).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
}
