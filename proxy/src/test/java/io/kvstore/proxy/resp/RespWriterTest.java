package io.kvstore.proxy.resp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** Every RespWriter method against bytes written out by hand, as redis-server and the RESP spec spell them. */
class RespWriterTest {

    private static final ByteBufAllocator ALLOC = new UnpooledByteBufAllocator(false);

    @Test
    void headers() {
        assertWrites("*3\r\n", b -> RespWriter.writeArrayHeader(b, 3));
        assertWrites("*0\r\n", b -> RespWriter.writeArrayHeader(b, 0));
        assertWrites("~2\r\n", b -> RespWriter.writeSetHeader(b, 3, 2));
        assertWrites("*2\r\n", b -> RespWriter.writeSetHeader(b, 2, 2));
        assertWrites("%2\r\n", b -> RespWriter.writeMapHeader(b, 3, 2));
        assertWrites("*4\r\n", b -> RespWriter.writeMapHeader(b, 2, 2));
        assertWrites(">3\r\n", b -> RespWriter.writePushHeader(b, 3, 3));
        assertWrites("*3\r\n", b -> RespWriter.writePushHeader(b, 2, 3));
    }

    @Test
    void scalars() {
        assertWrites(":42\r\n", b -> RespWriter.writeInteger(b, 42));
        assertWrites(":-1\r\n", b -> RespWriter.writeInteger(b, -1));
        assertWrites(":-9223372036854775808\r\n", b -> RespWriter.writeInteger(b, Long.MIN_VALUE));
        assertWrites("$-1\r\n", b -> RespWriter.writeNull(b, 2));
        assertWrites("_\r\n", b -> RespWriter.writeNull(b, 3));
        assertWrites("+OK\r\n", b -> RespWriter.writeStatus(b, "OK"));
        assertWrites(",1.250\r\n", b -> RespWriter.writeDouble(b, "1.250"));
        assertWrites("-ERR a  b\r\n", b -> RespWriter.writeError(b, "ERR a\r\nb")); // each of CR, LF a space: one line
    }

    @Test
    void bulkStrings() {
        assertWrites("$3\r\nfoo\r\n", b -> RespWriter.writeBulk(b, "foo".getBytes(StandardCharsets.US_ASCII)));
        assertWrites("$0\r\n\r\n", b -> RespWriter.writeBulk(b, new byte[0]));
        // UTF-8, its length in bytes (1 + 2 + 3), not in chars
        assertWrites("$6\r\nh\u00c3\u00a9\u00e2\u0082\u00ac\r\n", b -> RespWriter.writeBulk(b, "h\u00e9\u20ac"));
        assertWrites("$4\r\n1000\r\n", b -> RespWriter.writeBulk(b, 1000L));
        assertWrites("$2\r\n-7\r\n", b -> RespWriter.writeBulk(b, -7L));
        ByteBuf src = Unpooled.copiedBuffer("xxkeyxx", StandardCharsets.US_ASCII);
        try {
            assertWrites("$3\r\nkey\r\n", b -> RespWriter.writeBulk(b, src, 2, 3));
            assertEquals(0, src.readerIndex(), "the source is left as it was");
        } finally {
            src.release();
        }
    }

    @Test
    void commands() {
        assertWrites("*1\r\n$4\r\nPING\r\n", b -> RespWriter.writeCommand(b, "PING"));
        assertWrites("*3\r\n$4\r\nAUTH\r\n$4\r\nuser\r\n$2\r\npw\r\n", b -> RespWriter.writeCommand(b, "AUTH", "user", "pw"));
        assertBytes("*2\r\n$5\r\nHELLO\r\n$1\r\n3\r\n", RespWriter.command(ALLOC, "HELLO", "3"));
        assertBytes("*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$2\r\nbc\r\n", RespWriter.command(ALLOC,
                "SUBSCRIBE".getBytes(StandardCharsets.US_ASCII), List.of(new byte[] {'a'}, new byte[] {'b', 'c'})));
        assertBytes("*1\r\n$4\r\nEXEC\r\n", RespWriter.command(ALLOC, "EXEC".getBytes(StandardCharsets.US_ASCII), List.of()));
    }

    @Test
    void writersAppendAfterWhatIsThere() {
        ByteBuf buf = ALLOC.buffer(1); // has to grow
        try {
            buf.writeByte('x');
            RespWriter.writeArrayHeader(buf, 2);
            RespWriter.writeBulk(buf, 16384L);
            RespWriter.writeInteger(buf, 0);
            assertEquals("x*2\r\n$5\r\n16384\r\n:0\r\n", buf.toString(StandardCharsets.ISO_8859_1));
        } finally {
            buf.release();
        }
    }

    private static void assertWrites(String expected, Consumer<ByteBuf> write) {
        ByteBuf buf = ALLOC.buffer(0);
        write.accept(buf);
        assertBytes(expected, buf);
    }

    /** {@code expected} holds one char per byte (ISO-8859-1), so a UTF-8 sequence is written out byte by byte. */
    private static void assertBytes(String expected, ByteBuf buf) {
        try {
            assertEquals(expected, buf.toString(StandardCharsets.ISO_8859_1));
        } finally {
            buf.release();
        }
    }
}
