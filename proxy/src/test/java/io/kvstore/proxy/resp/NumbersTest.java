package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NumbersTest {

    @Test
    void writeDecimalMatchesLongToStringParsesBackAndDecimalLengthCountsIt() {
        long[] edges = {0, 1, 9, 10, 99, 100, 999_999_999_999_999_999L, 1_000_000_000_000_000_000L,
            Long.MAX_VALUE, -1, -9, -10, -1_000_000_000_000_000_000L, Long.MIN_VALUE + 1, Long.MIN_VALUE};
        for (long v : edges) {
            check(v);
        }
        SplittableRandom random = new SplittableRandom(16);
        for (int i = 0; i < 10_000; i++) {
            check(random.nextLong() >> random.nextInt(64)); // every magnitude, both signs
        }
    }

    @Test
    void writeDecimalAppendsAfterWhatIsThere() {
        ByteBuf buf = Unpooled.buffer(1, 64); // has to grow
        try {
            buf.writeByte('$');
            Numbers.writeDecimal(buf, 16384);
            buf.writeByte('\r');
            assertEquals("$16384\r", buf.toString(StandardCharsets.US_ASCII));
        } finally {
            buf.release();
        }
    }

    private static void check(long v) {
        ByteBuf buf = Unpooled.buffer(0);
        try {
            Numbers.writeDecimal(buf, v);
            assertEquals(Long.toString(v), buf.toString(StandardCharsets.US_ASCII));
            assertEquals(buf.readableBytes(), Numbers.decimalLength(v), "decimalLength(" + v + ")");
            if (v != Long.MIN_VALUE) { // parseLong's INVALID
                assertEquals(v, Numbers.parseLong(buf, 0, buf.readableBytes()));
            }
        } finally {
            buf.release();
        }
    }
}
