package io.kvstore.config.redis;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes a command as RESP2, an array of bulk strings ({@code *N\r\n$len\r\nword\r\n...}): what
 * {@link RespClient} sends and what {@code kvstore-admin parse-snapshot} prints for
 * {@code redis-cli --pipe}. Stateless; any thread.
 */
public final class RespWriter {

    private RespWriter() {
    }

    /** Writes {@code words} as one command onto {@code out} (not flushed). */
    public static void command(OutputStream out, byte[]... words) throws IOException {
        header(out, '*', words.length);
        for (byte[] w : words) {
            header(out, '$', w.length);
            out.write(w);
            out.write('\r');
            out.write('\n');
        }
    }

    private static void header(OutputStream out, char kind, int n) throws IOException {
        out.write(kind);
        out.write(Integer.toString(n).getBytes(StandardCharsets.US_ASCII));
        out.write('\r');
        out.write('\n');
    }
}
