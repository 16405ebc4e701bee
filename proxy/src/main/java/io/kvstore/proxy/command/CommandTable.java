package io.kvstore.proxy.command;

import io.netty.buffer.ByteBuf;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every command the proxy knows, loaded once from {@code commands.tsv} (Redis's own facts plus
 * the proxy's {@link CommandKind} per command). Immutable after construction; shared by all
 * event loops without locks.
 *
 * <p>Lookup reads the name straight from the request buffer, case-insensitively, through an
 * open-addressing table: no String is made per request.
 */
public final class CommandTable {

    private static final String RESOURCE = "commands.tsv";

    private final Map<String, CommandSpec> byName;
    private final CommandSpec[] slots;
    private final byte[][] names;
    private final int mask;

    private CommandTable(List<CommandSpec> specs) {
        Map<String, CommandSpec> map = new LinkedHashMap<>();
        for (CommandSpec s : specs) {
            map.put(s.name(), s);
        }
        this.byName = Collections.unmodifiableMap(map);
        int capacity = Integer.highestOneBit(Math.max(16, map.size() * 4) - 1) << 1;
        this.slots = new CommandSpec[capacity];
        this.names = new byte[capacity][];
        this.mask = capacity - 1;
        for (CommandSpec s : map.values()) {
            if (s.name().indexOf('|') >= 0) {
                continue; // "container|sub" is not a name a client can send; subcommand() finds it
            }
            byte[] name = s.name().getBytes(StandardCharsets.US_ASCII);
            int i = hash(name, 0, name.length) & mask;
            while (slots[i] != null) {
                i = (i + 1) & mask;
            }
            slots[i] = s;
            names[i] = name;
        }
    }

    /** The table shipped with the proxy. */
    public static CommandTable load() {
        try (InputStream in = CommandTable.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + RESOURCE);
            }
            return parse(new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static CommandTable parse(BufferedReader reader) throws IOException {
        List<CommandSpec> specs = new ArrayList<>();
        String line;
        while ((line = reader.readLine()) != null) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", -1);
            if (f.length < 7) {
                throw new IllegalArgumentException("bad command table line: " + line);
            }
            specs.add(new CommandSpec(f[0], Integer.parseInt(f[1]), f[2].equals("-") ? "" : f[2],
                    Integer.parseInt(f[3]), Integer.parseInt(f[4]), Integer.parseInt(f[5]),
                    CommandKind.valueOf(f[6]), f.length > 7 ? f[7] : "",
                    f.length > 8 && !f[8].isEmpty() ? MergeKind.valueOf(f[8]) : null,
                    ("," + f[2] + ",").contains(",write,"),
                    f.length > 9 ? AclCategory.mask(f[9]) : 0, f.length > 10 ? f[10] : "-"));
        }
        return new CommandTable(specs);
    }

    /** The spec of the command named by {@code buf[off, off+len)}, any case; null when unknown. */
    public CommandSpec lookup(ByteBuf buf, int off, int len) {
        int i = hash(buf, off, len) & mask;
        while (true) {
            CommandSpec s = slots[i];
            if (s == null) {
                return null;
            }
            if (equalsIgnoreCase(names[i], buf, off, len)) {
                return s;
            }
            i = (i + 1) & mask;
        }
    }

    /** The spec of {@code container|sub}; null when unknown. */
    public CommandSpec subcommand(CommandSpec container, ByteBuf buf, int off, int len) {
        String sub = buf.toString(off, len, StandardCharsets.US_ASCII).toLowerCase(java.util.Locale.ROOT);
        return byName.get(container.name() + "|" + sub);
    }

    /** The spec by lower-case name; null when unknown. */
    public CommandSpec get(String name) {
        return byName.get(name);
    }

    /** What COMMAND COUNT answers: commands, not subcommands, that Redis itself has. */
    public int topLevelCount() {
        int n = 0;
        for (CommandSpec s : byName.values()) {
            if (s.name().indexOf('|') < 0 && !s.kvstoreOnly()) {
                n++;
            }
        }
        return n;
    }

    public Collection<CommandSpec> all() {
        return byName.values();
    }

    private static int hash(byte[] name, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + lower(name[i]);
        }
        return h ^ (h >>> 16);
    }

    private static int hash(ByteBuf buf, int off, int len) {
        int h = 0;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + lower(buf.getByte(i));
        }
        return h ^ (h >>> 16);
    }

    private static boolean equalsIgnoreCase(byte[] lowerName, ByteBuf buf, int off, int len) {
        if (lowerName.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (lowerName[i] != lower(buf.getByte(off + i))) {
                return false;
            }
        }
        return true;
    }

    private static byte lower(byte b) {
        return b >= 'A' && b <= 'Z' ? (byte) (b + 32) : b;
    }
}
