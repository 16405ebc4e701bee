package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.kvstore.admin.snapshot.BadSnapshot;
import io.kvstore.admin.snapshot.Readable;
import io.kvstore.admin.snapshot.Restore;
import io.kvstore.admin.snapshot.SnapshotReader;
import io.kvstore.config.redis.RespWriter;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin parse-snapshot DIR/state.bin}: the snapshot as {@code RESTORE key ms
 * payload REPLACE ABSTTL} commands in RESP, for {@code redis-cli --pipe} into any Redis or kvstore
 * proxy; or, with {@code --format commands}, as readable lines. Needs no ZooKeeper. The file is
 * checked whole first (against the {@code meta.json} beside it when there is one), so a bad file
 * prints nothing. Main thread only.
 */
@Command(name = "parse-snapshot", description = {"Print a snapshot as RESTORE ... REPLACE ABSTTL commands (RESP) for redis-cli --pipe,",
        "or with --format commands as readable SET lines (strings; other types as a comment naming them)."},
        footer = {"", "Example: kvstore-admin parse-snapshot /backups/shop/state.bin | redis-cli -h H -p P --pipe", "", Exit.SUMMARY,
                "parse-snapshot exits 4 when the file is corrupt or truncated (nothing printed)."})
public final class ParseSnapshotCommand extends AdminCommand {

    @Parameters(index = "0", paramLabel = "FILE", description = "A state.bin written by backup.")
    Path file;

    @Option(names = "--format", defaultValue = "resp", paramLabel = "resp|commands",
            description = "resp: RESTORE commands for redis-cli --pipe; commands: readable lines (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write there instead of standard output.")
    Path output;

    @Override
    protected int run() {
        if (!format.equals("resp") && !format.equals("commands")) {
            throw new IllegalArgumentException("--format is resp or commands, not " + format);
        }
        long expired = 0;
        try {
            Path metaFile = file.toAbsolutePath().resolveSibling("meta.json");
            JsonNode meta = Files.exists(metaFile) ? JSON.readTree(metaFile.toFile()) : null;
            SnapshotReader.verify(file, meta);
            OutputStream target = output != null ? Files.newOutputStream(output) : System.out; // raw bytes: payloads are binary
            try (SnapshotReader in = new SnapshotReader(file)) {
                OutputStream buf = new BufferedOutputStream(target, 1 << 16);
                for (SnapshotReader.Entry e = in.next(); e != null; e = in.next()) {
                    if (e.expireAt() != 0 && e.expireAt() <= System.currentTimeMillis()) {
                        expired++;
                    } else if (format.equals("resp")) {
                        RespWriter.command(buf, Restore.restoreCommand(e, true));
                    } else if (output != null) {
                        buf.write((Readable.line(e) + "\n").getBytes(StandardCharsets.UTF_8));
                    } else {
                        out().println(Readable.line(e));
                    }
                }
                buf.flush();
            } finally {
                if (output != null) {
                    target.close();
                }
            }
            out().flush();
        } catch (BadSnapshot e) {
            err("refused: " + e.getMessage() + "; nothing was printed");
            return Exit.CONFLICT;
        } catch (IOException e) {
            err("cannot read " + file + ": " + e.getMessage());
            return Exit.UNREACHABLE;
        }
        if (expired > 0) {
            err(expired + " keys had expired since the backup and were left out");
        }
        return Exit.OK;
    }
}
