package io.kvstore.admin.redis;

import io.kvstore.config.redis.RespClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * One full SCAN pass over a redis-server, a batch of keys at a time. SCAN's promise holds: every
 * key present for the whole pass is seen at least once (possibly more). Keys are binary. Runs on
 * the caller's thread, on the caller's connection.
 */
public final class KeyScan {

    /** What is done with each batch SCAN returns. */
    @FunctionalInterface
    public interface Batch {
        void accept(List<byte[]> keys) throws IOException;
    }

    private KeyScan() {
    }

    /** Runs one pass, {@code count} keys asked per SCAN call, handing every non-empty batch to {@code batch}. */
    public static void pass(RespClient c, int count, Batch batch) throws IOException {
        byte[] cursor = {'0'};
        byte[] scan = bytes("SCAN");
        byte[] countWord = bytes("COUNT");
        byte[] countValue = bytes(Integer.toString(count));
        do {
            List<?> reply = (List<?>) c.callRaw(scan, cursor, countWord, countValue);
            cursor = (byte[]) reply.get(0);
            List<byte[]> keys = new ArrayList<>();
            for (Object k : (List<?>) reply.get(1)) {
                keys.add((byte[]) k);
            }
            if (!keys.isEmpty()) {
                batch.accept(keys);
            }
        } while (!(cursor.length == 1 && cursor[0] == '0'));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
