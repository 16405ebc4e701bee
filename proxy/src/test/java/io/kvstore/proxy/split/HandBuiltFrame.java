package io.kvstore.proxy.split;

import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A deliberate violation for HandBuiltFrameTest's positive control: each method builds a RESP frame by hand in one
 * of the ways the scan must flag, one per rule (two for a marker byte: into a ByteBuf and onto a stream). Test sources only, so the scan of main sources never sees it. Never
 * called; no thread.
 */
final class HandBuiltFrame {

    private HandBuiltFrame() {}

    static void markerByte(ByteBuf buf) {
        buf.writeByte('*');
    }

    static void markerToStream(OutputStream out) throws IOException {
        out.write('$');
    }

    static byte[] frameLiteral() {
        return "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    static String markerJoined(long id) {
        return ":" + id + "\r\n";
    }

    static byte[] crlfArray() {
        return new byte[] {'\r', '\n'};
    }

    static void crlfIntoBuffer(ByteBuf buf, String text) {
        buf.writeCharSequence(text + "\r\n", StandardCharsets.US_ASCII);
    }
}
