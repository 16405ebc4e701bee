package io.kvstore.admin.snapshot;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The layout of {@code state.bin}, documented in {@code doc/operations.md} (*Backup and restore*).
 * The file is one gzip stream; inside it:
 *
 * <pre>
 *   "KVSNAP" 0x01                        magic and format version
 *   'K' keyLen:u32 key expireAt:i64 payloadLen:u32 payload      one per key
 *   'E' keys:i64                          the end, with the number of keys before it
 * </pre>
 *
 * Integers are big-endian. {@code expireAt} is an absolute time in epoch milliseconds (the
 * admin's clock when the PTTL was read, plus the PTTL), 0 for a key without TTL: so a snapshot
 * loaded a day later gives each key the time it had left, not a day more. {@code payload} is
 * the DUMP reply as is: a type byte, the value in RDB encoding, the RDB version (2 bytes,
 * little-endian) and a CRC64 (8 bytes). A file without its end record is truncated; gzip's own
 * CRC32 catches damage inside; the SHA-256 in {@code meta.json} catches both before a restore.
 */
public final class SnapshotFormat {

    static final byte[] MAGIC = "KVSNAP".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int KEY = 'K';
    static final int END = 'E';

    private SnapshotFormat() {
    }

    /** The RDB version a DUMP payload was written with (its footer), or 0 if it is too short to have one. */
    public static int rdbVersion(byte[] payload) {
        if (payload.length < 10) {
            return 0;
        }
        int at = payload.length - 10;
        return (payload[at] & 0xff) | (payload[at + 1] & 0xff) << 8;
    }

    /**
     * The newest RDB version a redis-server of {@code redisVersion} (INFO's {@code redis_version})
     * writes and accepts in RESTORE: 7.4 → 12, 7.2 → 11, 7.0 → 10, 5.0 and 6.x → 9, 4.0 → 8,
     * older → 7. RESTORE refuses a payload of a newer version.
     */
    public static int rdbVersionOf(String redisVersion) {
        String[] parts = redisVersion.split("\\.");
        int major = Integer.parseInt(parts[0]);
        int minor = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
        if (major > 7 || (major == 7 && minor >= 4)) {
            return 12;
        }
        if (major == 7) {
            return minor >= 2 ? 11 : 10;
        }
        if (major >= 5) {
            return 9;
        }
        return major == 4 ? 8 : 7;
    }

    /** A name for the RDB type byte a DUMP payload starts with. */
    public static String typeName(int rdbType) {
        return switch (rdbType) {
            case 0 -> "string";
            case 1, 10, 14, 18 -> "list";
            case 2, 11, 20 -> "set";
            case 3, 5, 12, 17 -> "zset";
            case 4, 9, 13, 16 -> "hash";
            case 6, 7 -> "module";
            case 15, 19, 21 -> "stream";
            default -> "type-" + rdbType;
        };
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
