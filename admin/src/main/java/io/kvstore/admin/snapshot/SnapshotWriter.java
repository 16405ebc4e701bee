package io.kvstore.admin.snapshot;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * Writes {@code state.bin}: the {@link SnapshotFormat} records, gzip-compressed as they come, so
 * memory does not grow with the snapshot. Counts the file's bytes and keeps its SHA-256 for
 * {@code meta.json}. One thread.
 */
public final class SnapshotWriter implements AutoCloseable {

    private final CountingStream file;
    private final MessageDigest sha;
    private final DataOutputStream out;
    private long keys;
    private long payloadBytes;
    private int maxRdbVersion;
    private boolean finished;

    public SnapshotWriter(Path path) throws IOException {
        this.sha = SnapshotFormat.sha256();
        this.file = new CountingStream(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16));
        this.out = new DataOutputStream(new BufferedOutputStream(new FastGzip(new DigestOutputStream(file, sha)), 1 << 16));
        out.write(SnapshotFormat.MAGIC);
        out.writeByte(SnapshotFormat.VERSION);
    }

    /** One key: its name, its DUMP payload, and when it expires (epoch ms, 0 = never). */
    public void key(byte[] key, byte[] payload, long expireAtMillis) throws IOException {
        out.writeByte(SnapshotFormat.KEY);
        out.writeInt(key.length);
        out.write(key);
        out.writeLong(expireAtMillis);
        out.writeInt(payload.length);
        out.write(payload);
        keys++;
        payloadBytes += payload.length;
        maxRdbVersion = Math.max(maxRdbVersion, SnapshotFormat.rdbVersion(payload));
    }

    /** Writes the end record (with the key count) and closes the file. */
    public void finish() throws IOException {
        out.writeByte(SnapshotFormat.END);
        out.writeLong(keys);
        out.close();
        finished = true;
    }

    public long keys() {
        return keys;
    }

    /** Bytes of DUMP payload written, before compression. */
    public long payloadBytes() {
        return payloadBytes;
    }

    /** The highest RDB version among the payloads written (0 when none). */
    public int maxRdbVersion() {
        return maxRdbVersion;
    }

    /** Bytes of the compressed file so far. */
    public long bytes() {
        return file.count;
    }

    /** The SHA-256 of the whole file, in hex; after {@link #finish()}. */
    public String sha256() {
        if (!finished) {
            throw new IllegalStateException("not finished");
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    @Override
    public void close() throws IOException {
        if (!finished) {
            out.close();
        }
    }

    /**
     * gzip at level 1: DUMP payloads are compact already (Redis LZF-compresses long strings), so a
     * stronger level buys a few percent for several times the CPU of the admin's single thread.
     */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 1 << 16);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    private static final class CountingStream extends FilterOutputStream {
        long count;

        CountingStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }
    }
}
