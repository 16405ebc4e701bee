package io.kvstore.config;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The words of the {@code MIGRATE} that moves keys to a group's master, shared by the proxy (a
 * key touched while its slot migrates) and the resharding driver (every other key). Stateless.
 *
 * <p>No {@code REPLACE}: a key that already exists on the target is never overwritten by an older
 * copy; MIGRATE fails with BUSYKEY instead, and the failure is reported rather than data lost.
 */
public final class MigrateCommand {

    private MigrateCommand() {
    }

    /** {@code MIGRATE host port "" db timeout [AUTH pw | AUTH2 user pw] KEYS k...}, logging in as {@code target.auth()}. */
    public static List<byte[]> words(Group target, int timeoutMillis, List<byte[]> keys) {
        BackendAuth auth = target.auth();
        List<byte[]> words = new ArrayList<>(keys.size() + 10);
        words.add(bytes("MIGRATE"));
        words.add(bytes(target.master().host()));
        words.add(bytes(Integer.toString(target.master().port())));
        words.add(new byte[0]);
        words.add(bytes(Integer.toString(auth.db())));
        words.add(bytes(Integer.toString(timeoutMillis)));
        if (auth.needsAuth()) {
            if (auth.user() == null) {
                words.add(bytes("AUTH"));
            } else {
                words.add(bytes("AUTH2"));
                words.add(bytes(auth.user()));
            }
            words.add(bytes(auth.password()));
        }
        words.add(bytes("KEYS"));
        words.addAll(keys);
        return words;
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
