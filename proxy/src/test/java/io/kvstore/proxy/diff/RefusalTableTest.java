package io.kvstore.proxy.diff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every command the command table marks REFUSED, sent through the proxy with just enough
 * arguments for its arity: each must be answered {@code -ERR command '...' is not supported by
 * kvstore proxy: <reason>}, nothing must reach a shard, and the connection must go on serving.
 * (The diff scripts cover the common refusals against a real Redis; this covers the whole table.)
 */
class RefusalTableTest {

    private static final String TABLE = "io/kvstore/proxy/command/commands.tsv";

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    /** One row of the table: name, arity, kind, reason. */
    record Row(String name, int arity, String kind, String reason) {
    }

    @Test
    void everyRefusedCommandIsAnsweredWithItsReason() {
        List<Row> refused = table().stream().filter(r -> r.kind().equals("REFUSED")).toList();
        assertTrue(refused.size() > 50, "the table lists the refused commands: " + refused.size());
        List<String> problems = new ArrayList<>();
        try (RawRespClient proxy = RawRespClient.connect(cluster.port(), "proxy")) {
            for (Row row : refused) {
                List<byte[]> args = minimalCommand(row);
                RawReply reply = proxy.call(args);
                String shown = String.join(" ", args.stream().map(a -> new String(a, StandardCharsets.UTF_8)).toList());
                String top = row.name().split("\\|")[0];
                if (!reply.isError() || !reply.text().startsWith("ERR command '")
                        || !reply.text().contains("' is not supported by kvstore proxy")) {
                    problems.add(shown + " -> " + reply.render());
                } else if (!reply.text().contains(reasonOf(top, row))) {
                    problems.add(shown + " -> " + reply.render() + " (expected the reason '" + reasonOf(top, row) + "')");
                }
            }
            assertEquals("PONG", proxy.call("PING").text(), "the connection serves on after every refusal");
        }
        assertEquals(List.of(), problems, "refusals that are not answered as the table says");
        for (int s = 0; s < 3; s++) {
            assertEquals(0, cluster.shard(s).dbSize(), "no refused command reached shard " + s);
        }
    }

    /**
     * A command that is not REFUSED but whose container is can never run: the container's
     * refusal answers first (as MEMORY USAGE once was, under a REFUSED {@code memory}).
     */
    @Test
    void noServedSubcommandUnderARefusedContainer() {
        Map<String, Row> byName = new HashMap<>();
        table().forEach(r -> byName.put(r.name(), r));
        List<String> unreachable = new ArrayList<>();
        for (Row r : byName.values()) {
            int bar = r.name().indexOf('|');
            if (bar > 0 && !r.kind().equals("REFUSED")) {
                Row container = byName.get(r.name().substring(0, bar));
                if (container != null && container.kind().equals("REFUSED")) {
                    unreachable.add(r.name() + " (" + r.kind() + ")");
                }
            }
        }
        assertEquals(List.of(), unreachable);
    }

    /** The reason the proxy gives: the container's, when the container itself is refused. */
    private static String reasonOf(String top, Row row) {
        Row container = table().stream().filter(r -> r.name().equals(top)).findFirst().orElse(row);
        return container.kind().equals("REFUSED") ? container.reason() : row.reason();
    }

    /** Name (and subcommand) plus filler arguments up to the arity. */
    private static List<byte[]> minimalCommand(Row row) {
        List<byte[]> args = new ArrayList<>();
        for (String part : row.name().split("\\|")) {
            args.add(part.toUpperCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
        }
        int wanted = Math.abs(row.arity());
        while (args.size() < wanted) {
            args.add("x".getBytes(StandardCharsets.US_ASCII));
        }
        return args;
    }

    private static List<Row> table() {
        try (InputStream in = RefusalTableTest.class.getClassLoader().getResourceAsStream(TABLE)) {
            if (in == null) {
                throw new IllegalStateException("no " + TABLE + " on the class path");
            }
            List<Row> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                rows.add(new Row(f[0], Integer.parseInt(f[1]), f[6], f.length > 7 ? f[7] : ""));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
