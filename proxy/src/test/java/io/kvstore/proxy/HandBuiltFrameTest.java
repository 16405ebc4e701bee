package io.kvstore.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps RESP spelled in one place per module (issue 17): no main class of proxy, config or admin writes a RESP
 * type marker, a length header or a CRLF by hand. The proxy calls {@code resp.RespWriter} (or {@code Replies});
 * config and admin, which write to blocking streams, call {@code io.kvstore.config.redis.RespWriter}. Those
 * writers are the only exemptions ({@link #ROOTS}). A source scan, since a marker is a char or a String literal
 * that compiled classes no longer show.
 *
 * <p>Invariant: {@link #MARKERS} and the four rules below are the definition of "hand-built"; INFO text (lines
 * ending in CRLF, sections headed {@code # Name}) is content, not a frame, and is left alone. Comments are
 * blanked out before the rules run, so a Javadoc may show a frame. Runs on JUnit's thread; reads files only.
 */
final class HandBuiltFrameTest {

    /** The RESP2 and RESP3 type markers, as a regex class. {@code #} (boolean) is left out: it heads INFO sections. */
    private static final String MARKERS = "[*$:+%~>_=,(!|-]";
    private static final Pattern LITERAL = Pattern.compile("'(?:[^'\\\\]|\\\\.)*'|\"(?:[^\"\\\\]|\\\\.)*\"");
    private static final Pattern MARKER_BYTE = Pattern.compile(
            "\\b(?:write|set)(?:Byte|Char|Short)?\\s*\\((?:[^;']*,\\s*)?'(?:\\\\r|\\\\n|" + MARKERS + ")'");
    private static final Pattern CRLF_ARRAY = Pattern.compile("'\\\\r'\\s*,\\s*'\\\\n'");
    private static final Pattern CRLF_INTO_BUFFER = Pattern.compile(
            "\\b(?:writeBytes|writeCharSequence|copiedBuffer|wrappedBuffer|writeAscii|writeUtf8)\\s*\\([^;]*\\\\r\\\\n");
    private static final Path MAIN = Path.of("src/main/java/io/kvstore/proxy");
    private static final Path CONFIG_WRITER = Path.of("../config/src/main/java/io/kvstore/config/redis/RespWriter.java");

    /** A main source tree scanned (this test runs in proxy/) and the one place in it allowed to spell RESP, or null for none. */
    private record Root(Path sources, Path writer) {
        boolean exempt(Path file) {
            return writer != null && file.startsWith(writer);
        }
    }

    private static final List<Root> ROOTS = List.of(new Root(MAIN, MAIN.resolve("resp")),
            new Root(Path.of("../config/src/main/java"), CONFIG_WRITER), new Root(Path.of("../admin/src/main/java"), null));
    private static final Path FIXTURE = Path.of("src/test/java/io/kvstore/proxy/split/HandBuiltFrame.java");

    @Test
    void noMainClassOutsideTheWritersBuildsAFrameByHand() throws IOException {
        List<String> found = new ArrayList<>();
        int scanned = 0;
        for (Root root : ROOTS) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(root.sources())) {
                files = walk.filter(p -> p.toString().endsWith(".java")).filter(p -> !root.exempt(p)).toList();
            }
            assertTrue(files.size() > 10, "the scan must find the sources of " + root.sources() + ": " + files.size());
            scanned += files.size();
            files.forEach(p -> found.addAll(violations(p)));
        }
        assertTrue(found.isEmpty(), scanned + " files scanned; build the frame with the module's RespWriter instead:\n"
                + String.join("\n", found));
    }

    /** Positive control: every rule must flag its line of the fixture, or a green run above would prove nothing. */
    @Test
    void rulesFlagTheHandBuiltFixtureOneLinePerRule() {
        List<String> found = violations(FIXTURE);
        assertEquals(6, found.size(), String.join("\n", found));
        for (String rule : List.of("marker byte", "frame literal", "marker joined", "CR/LF array", "CRLF into a buffer")) {
            assertTrue(found.stream().anyMatch(v -> v.contains(rule)), rule + " not flagged: " + found);
        }
    }

    /** The exemptions are for the writers alone: each, scanned without its exemption, is flagged. */
    @Test
    void theWritersThemselvesWouldBeFlagged() {
        assertTrue(!violations(MAIN.resolve("resp/RespWriter.java")).isEmpty());
        assertTrue(!violations(CONFIG_WRITER).isEmpty());
    }

    static List<String> violations(Path file) {
        List<String> found = new ArrayList<>();
        String[] lines;
        try {
            lines = withoutComments(Files.readString(file)).split("\n", -1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (int i = 0; i < lines.length; i++) {
            String at = file + ":" + (i + 1) + ": ";
            String line = lines[i];
            if (MARKER_BYTE.matcher(line).find()) {
                found.add(at + "marker byte: " + line.strip());
            }
            if (CRLF_ARRAY.matcher(line).find()) {
                found.add(at + "CR/LF array: " + line.strip());
            }
            if (CRLF_INTO_BUFFER.matcher(line).find()) {
                found.add(at + "CRLF into a buffer: " + line.strip());
            }
            Matcher m = LITERAL.matcher(line);
            while (m.find()) {
                String lit = m.group();
                if (lit.matches("\"" + MARKERS + "(?:[^\"\\\\]|\\\\.)*\\\\r\\\\n.*")) {
                    found.add(at + "frame literal: " + line.strip());
                } else if (lit.matches("\"" + MARKERS + "\"") && line.substring(m.end()).matches("\\s*\\+.*\"\\\\r\\\\n\".*")) {
                    found.add(at + "marker joined to a CRLF: " + line.strip());
                }
            }
        }
        return found;
    }

    /** {@code source} with every comment blanked out (newlines kept, so line numbers stay); literals kept. */
    static String withoutComments(String source) {
        StringBuilder out = new StringBuilder(source.length());
        int n = source.length();
        for (int i = 0; i < n; i++) {
            char c = source.charAt(i);
            char next = i + 1 < n ? source.charAt(i + 1) : 0;
            if (c == '/' && next == '/') {
                while (i < n && source.charAt(i) != '\n') {
                    i++;
                }
                out.append('\n');
            } else if (c == '/' && next == '*') {
                int end = source.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                source.substring(i, end).chars().forEach(ch -> out.append(ch == '\n' ? '\n' : ' '));
                i = end - 1;
            } else if (c == '"' || c == '\'') {
                int end = literalEnd(source, i);
                out.append(source, i, end);
                i = end - 1;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Index just past the literal opening at {@code start}: a char, a string or a text block. */
    private static int literalEnd(String source, int start) {
        char quote = source.charAt(start);
        if (quote == '"' && source.startsWith("\"\"\"", start)) {
            int end = source.indexOf("\"\"\"", start + 3);
            return end < 0 ? source.length() : end + 3;
        }
        for (int i = start + 1; i < source.length(); i++) {
            char c = source.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == quote || c == '\n') {
                return i + 1;
            }
        }
        return source.length();
    }
}
