package io.kvstore.proxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.BufferedReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CommandTableTest {

    private static CommandTable table;

    @BeforeAll
    static void load() {
        table = CommandTable.load();
    }

    /** {@link CommandTable#lookup} of {@code name} sitting at a non-zero offset of a buffer, with bytes after it. */
    private static CommandSpec lookup(String name) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.directBuffer();
        try {
            buf.writeBytes("$3\r\n".getBytes(StandardCharsets.US_ASCII));
            int off = buf.writerIndex();
            buf.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
            buf.writeBytes("\r\nxyz".getBytes(StandardCharsets.US_ASCII));
            return table.lookup(buf, off, name.length());
        } finally {
            buf.release();
        }
    }

    private static CommandSpec lookupHeap(String name) {
        ByteBuf buf = ByteBufAllocator.DEFAULT.heapBuffer();
        try {
            buf.writeBytes("GETX".getBytes(StandardCharsets.US_ASCII)); // a prefix that is itself almost a command
            int off = buf.writerIndex();
            buf.writeBytes(name.getBytes(StandardCharsets.ISO_8859_1));
            buf.writeBytes("S".getBytes(StandardCharsets.US_ASCII));
            return table.lookup(buf, off, name.length());
        } finally {
            buf.release();
        }
    }

    private static CommandSpec sub(String container, String sub) {
        CommandSpec c = lookup(container);
        assertNotNull(c, container);
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer();
        try {
            buf.writeBytes("..".getBytes(StandardCharsets.US_ASCII));
            buf.writeBytes(sub.getBytes(StandardCharsets.ISO_8859_1));
            buf.writeBytes("..".getBytes(StandardCharsets.US_ASCII));
            return table.subcommand(c, buf, 2, sub.length());
        } finally {
            buf.release();
        }
    }

    @Test
    void loadsTheShippedTable() {
        assertTrue(table.all().size() > 200, "rows: " + table.all().size());
        assertNotNull(table.get("get"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "get", "gEt", "Get", "geT"})
    void lookupIgnoresCase(String name) {
        CommandSpec get = table.get("get");
        assertSame(get, lookup(name));
        assertSame(get, lookupHeap(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"nosuchcommand", "ge", "gett", "g", "", "get ", " get", "GET\u0000", "\u00ffget", "client setname"})
    void unknownNamesAreNull(String name) {
        assertNull(lookup(name));
        assertNull(lookupHeap(name));
    }

    @Test
    void everyCommandIsFoundByItsNameInAnyCase() {
        for (CommandSpec spec : table.all()) {
            if (spec.name().indexOf('|') >= 0) {
                continue;
            }
            assertSame(spec, lookup(spec.name()), spec.name());
            assertSame(spec, lookup(spec.name().toUpperCase(Locale.ROOT)), spec.name());
        }
    }

    @Test
    void subcommands() {
        CommandSpec setname = sub("client", "setname");
        assertEquals("client|setname", setname.name());
        assertEquals("client setname", setname.displayName());
        assertSame(setname, sub("CLIENT", "SETNAME"));
        assertSame(setname, sub("Client", "SetName"));

        CommandSpec getname = sub("CLIENT", "GETNAME");
        assertEquals("client|getname", getname.name());
        assertEquals(CommandKind.LOCAL, getname.kind());

        CommandSpec create = sub("xgroup", "create");
        assertEquals("xgroup|create", create.name());
        assertEquals(CommandKind.SINGLE, create.kind());
        assertEquals(2, create.firstKey(), "XGROUP CREATE key group id: the key is argument 2");

        assertNull(sub("client", "nosuch"));
        assertNull(sub("client", ""));
        assertNull(sub("xgroup", "setname"));
    }

    @Test
    void arity() {
        CommandSpec get = table.get("get");
        assertEquals(2, get.arity());
        assertFalse(get.arityAccepts(1));
        assertTrue(get.arityAccepts(2));
        assertFalse(get.arityAccepts(3));

        CommandSpec set = table.get("set");
        assertEquals(-3, set.arity());
        assertFalse(set.arityAccepts(2));
        assertTrue(set.arityAccepts(3));
        assertTrue(set.arityAccepts(5));
        assertTrue(set.arityAccepts(100));

        assertTrue(table.get("ping").arityAccepts(1));
        assertTrue(table.get("ping").arityAccepts(2));
        assertFalse(table.get("ping").arityAccepts(0));
    }

    @Test
    void keyPositions() {
        CommandSpec mget = table.get("mget");
        assertEquals(1, mget.firstKey());
        assertEquals(4, mget.lastKeyIndex(5));
        CommandSpec blpop = table.get("blpop");
        assertEquals(3, blpop.lastKeyIndex(5), "BLPOP k1 k2 k3 timeout: the last key is before the timeout");
        CommandSpec mset = table.get("mset");
        assertEquals(2, mset.keyStep());
        assertEquals(1, table.get("get").lastKeyIndex(2));
    }

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "get, SINGLE",
        "set, SINGLE",
        "mget, SPLIT_MGET",
        "mset, SPLIT_MSET",
        "del, SPLIT_SUM",
        "unlink, SPLIT_SUM",
        "exists, SPLIT_SUM",
        "keys, FAN_OUT",
        "dbsize, FAN_OUT",
        "multi, TRANSACTION",
        "exec, TRANSACTION",
        "blpop, BLOCKING",
        "eval, MOVABLE_KEYS",
        "subscribe, PUBSUB",
        "publish, PUBSUB",
        "ping, LOCAL",
        "echo, LOCAL",
        "client, CONTAINER",
        "cluster, REFUSED",
        "monitor, REFUSED",
        "sync, REFUSED",
    })
    void kindsOfASample(String name, CommandKind kind) {
        CommandSpec spec = lookup(name.toUpperCase(Locale.ROOT));
        assertNotNull(spec, name);
        assertEquals(kind, spec.kind(), name);
    }

    @Test
    void everyRowIsWellFormed() {
        Set<String> names = new HashSet<>();
        for (CommandSpec spec : table.all()) {
            String n = spec.name();
            assertTrue(names.add(n), "duplicate " + n);
            assertNotNull(spec.kind(), n);
            assertEquals(n.toLowerCase(Locale.ROOT), n, "names are lower case");
            assertFalse(n.isEmpty() || n.contains(" ") || n.contains("\t"), n);
            assertTrue(spec.arity() != 0, n + ": arity 0 means nothing");
            assertNotNull(spec.flags(), n);
            assertNotNull(spec.reason(), n);
            if (spec.kind() == CommandKind.REFUSED) {
                assertFalse(spec.reason().isBlank(), n + " is refused without a reason");
            }
            if (spec.kind() == CommandKind.SINGLE || spec.kind().name().startsWith("SPLIT_")) {
                assertTrue(spec.firstKey() >= 1, n + " needs a key position");
            }
            if (spec.firstKey() > 0) {
                assertTrue(spec.keyStep() >= 1, n + ": key step");
                int argc = Math.max(Math.abs(spec.arity()), spec.firstKey() + 1);
                assertTrue(spec.lastKeyIndex(argc) >= spec.firstKey() || spec.lastKey() < 0, n + ": last key");
            }
            if (spec.kind().name().startsWith("SPLIT_") || spec.kind() == CommandKind.FAN_OUT) {
                assertNotNull(spec.merge(), n + " needs a merge kind");
            }
            int bar = n.indexOf('|');
            if (bar >= 0) {
                CommandSpec container = table.get(n.substring(0, bar));
                assertNotNull(container, n + " has no container row");
                assertTrue(container.kind() == CommandKind.CONTAINER || container.kind() == CommandKind.REFUSED,
                        n + ": container kind " + container.kind());
            }
        }
        for (CommandSpec spec : table.all()) {
            if (spec.kind() == CommandKind.CONTAINER) {
                assertTrue(names.stream().anyMatch(x -> x.startsWith(spec.name() + "|")), spec.name() + " has no subcommands");
            }
        }
    }

    @Test
    void parseRejectsBadLines() {
        assertThrows(IllegalArgumentException.class, () -> CommandTable.parse(reader("get\t2\treadonly\t1\t1\n")));
        assertThrows(IllegalArgumentException.class, () -> CommandTable.parse(reader("get\t2\treadonly\t1\t1\t1\tNOPE\n")));
        assertThrows(NumberFormatException.class, () -> CommandTable.parse(reader("get\tx\treadonly\t1\t1\t1\tSINGLE\n")));
    }

    @Test
    void parseSkipsCommentsAndBlankLines() throws Exception {
        CommandTable small = CommandTable.parse(reader("# header\n\nget\t2\treadonly,fast\t1\t1\t1\tSINGLE\t\n"
                + "flushdb\t-1\t-\t0\t0\t0\tREFUSED\tno\n"));
        assertEquals(2, small.all().size());
        assertEquals("", small.get("flushdb").flags());
        assertEquals("no", small.get("flushdb").reason());
        assertEquals("readonly,fast", small.get("get").flags());
        ByteBuf buf = ByteBufAllocator.DEFAULT.buffer().writeBytes("FLUSHDB".getBytes(StandardCharsets.US_ASCII));
        try {
            assertSame(small.get("flushdb"), small.lookup(buf, 0, 7));
            assertNull(small.lookup(buf, 0, 5));
        } finally {
            buf.release();
        }
    }

    private static BufferedReader reader(String text) {
        return new BufferedReader(new StringReader(text));
    }

    /**
     * The internal {@code container|sub} names are not commands: a client sending
     * {@code CLIENT|SETNAME x} gets "unknown command" from Redis, and must from the proxy too,
     * instead of the proxy running CLIENT SETNAME with its arguments shifted by one.
     */
    @Test
    void subcommandRowsAreNotTopLevelCommands() {
        assertNull(lookup("client|setname"));
        assertNull(lookup("CLIENT|GETNAME"));
        assertNull(lookup("xgroup|create"));
        assertNull(lookup("config|set"));
    }
}
