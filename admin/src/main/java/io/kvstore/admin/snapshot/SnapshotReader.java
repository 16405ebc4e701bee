package io.kvstore.admin.snapshot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads {@code state.bin} one key at a time ({@link SnapshotFormat}); memory holds one key. Any
 * damage (a bad gzip CRC, a cut-off record, a missing end record, a count that does not match)
 * is a {@link BadSnapshot}. {@link #verify} reads a whole snapshot once before anything is
 * loaded from it. One thread.
 */
public final class SnapshotReader implements AutoCloseable {

    /** One key of the snapshot; {@code expireAt} in epoch ms, 0 = no TTL. */
    public record Entry(byte[] key, byte[] payload, long expireAt) {
    }

    /** What a full read of a snapshot found. */
    public record Verified(long keys, int maxRdbVersion, JsonNode meta) {
    }

    private final Path path;
    private final DataInputStream in;
    private long keys;
    private boolean ended;

    public SnapshotReader(Path path) throws IOException {
        this(path, Files.newInputStream(path));
    }

    private SnapshotReader(Path path, InputStream raw) throws IOException {
        this.path = path;
        try {
            this.in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16));
            byte[] magic = in.readNBytes(SnapshotFormat.MAGIC.length);
            if (!Arrays.equals(magic, SnapshotFormat.MAGIC)) {
                throw new BadSnapshot(path + " is not a kvstore snapshot");
            }
            int version = in.readUnsignedByte();
            if (version != SnapshotFormat.VERSION) {
                throw new BadSnapshot(path + " is a snapshot of format " + version + "; this kvstore-admin reads format "
                        + SnapshotFormat.VERSION);
            }
        } catch (ZipException | EOFException e) {
            raw.close();
            throw new BadSnapshot(path + " is not a kvstore snapshot (" + e.getMessage() + ")");
        }
    }

    /** The next key, or null after the last one (the end record and the file's end checked). */
    public Entry next() throws IOException {
        if (ended) {
            return null;
        }
        try {
            int tag = in.readUnsignedByte();
            if (tag == SnapshotFormat.END) {
                long count = in.readLong();
                if (count != keys || in.read() != -1) {
                    throw new BadSnapshot(path + " is corrupt: its end record counts " + count + " keys, " + keys + " were read");
                }
                ended = true;
                return null;
            }
            if (tag != SnapshotFormat.KEY) {
                throw new BadSnapshot(path + " is corrupt: unknown record after key " + keys);
            }
            byte[] key = bytes(in.readInt());
            long expireAt = in.readLong();
            byte[] payload = bytes(in.readInt());
            keys++;
            return new Entry(key, payload, expireAt);
        } catch (EOFException e) {
            throw new BadSnapshot(path + " is truncated: it ends after " + keys + " keys, without its end record");
        } catch (ZipException e) {
            throw new BadSnapshot(path + " is corrupt after " + keys + " keys (" + e.getMessage() + ")");
        }
    }

    private byte[] bytes(int n) throws IOException {
        if (n < 0) {
            throw new BadSnapshot(path + " is corrupt: a length of " + n + " after " + keys + " keys");
        }
        byte[] b = in.readNBytes(n); // grows as it reads: a corrupt length cannot allocate it all at once
        if (b.length != n) {
            throw new EOFException();
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Reads the snapshot in {@code dir} once, whole: {@code meta.json}'s size and SHA-256 of
     * {@code state.bin} first, then every record. Throws {@link BadSnapshot} at the first thing wrong.
     */
    public static Verified verify(Path dir) throws IOException {
        Path metaFile = dir.resolve("meta.json");
        if (!Files.exists(metaFile)) {
            throw new BadSnapshot(dir + " has no meta.json: not a complete snapshot");
        }
        JsonNode meta;
        try {
            meta = new ObjectMapper().readTree(metaFile.toFile());
        } catch (IOException e) {
            throw new BadSnapshot(metaFile + " is not valid JSON: " + e.getMessage());
        }
        return verify(dir.resolve("state.bin"), meta);
    }

    /** As {@link #verify(Path)}, for {@code state} and its {@code meta} (null: no meta.json, the records only). */
    public static Verified verify(Path state, JsonNode meta) throws IOException {
        if (!Files.exists(state)) {
            throw new BadSnapshot(state + " does not exist");
        }
        if (meta != null) {
            MessageDigest sha = SnapshotFormat.sha256();
            try (InputStream in = new DigestInputStream(Files.newInputStream(state), sha)) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            }
            String got = HexFormat.of().formatHex(sha.digest());
            String expected = meta.path("sha256").asText();
            long size = Files.size(state);
            long bytes = meta.path("bytes").asLong(-1);
            if (size < bytes) {
                throw new BadSnapshot(state + " does not match the checksum in meta.json: it is truncated (" + size + " of "
                        + bytes + " bytes)");
            }
            if (!got.equals(expected) || size != bytes) {
                throw new BadSnapshot(state + " does not match the checksum in meta.json: it is corrupt (SHA-256 " + got
                        + ", " + size + " bytes; meta.json says " + expected + ", " + bytes + " bytes)");
            }
        }
        int maxRdb = 0;
        long keys = 0;
        try (SnapshotReader r = new SnapshotReader(state)) {
            for (Entry e = r.next(); e != null; e = r.next()) {
                keys++;
                maxRdb = Math.max(maxRdb, SnapshotFormat.rdbVersion(e.payload()));
            }
        }
        if (meta != null && keys != meta.path("keys").asLong(-1)) {
            throw new BadSnapshot(state + " holds " + keys + " keys, meta.json says " + meta.path("keys").asLong(-1));
        }
        return new Verified(keys, maxRdb, meta);
    }

}
