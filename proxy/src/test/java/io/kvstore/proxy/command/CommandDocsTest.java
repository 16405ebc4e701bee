package io.kvstore.proxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The command documents are generated from the table; a stale one fails here. */
class CommandDocsTest {

    private static final Path DOC = Path.of("..", "doc");
    private static final String FIX = "; regenerate with: java -cp 'proxy/target/classes' io.kvstore.proxy.command.CommandDocs doc";

    @Test
    void commandsMdIsCurrent() throws IOException {
        assertEquals(CommandDocs.commands(CommandTable.load()),
                Files.readString(DOC.resolve("commands.md"), StandardCharsets.UTF_8), "doc/commands.md is stale" + FIX);
    }

    @Test
    void refusedMdIsCurrent() throws IOException {
        assertEquals(CommandDocs.refused(CommandTable.load()),
                Files.readString(DOC.resolve("not-support-redis-cmd.md"), StandardCharsets.UTF_8),
                "doc/not-support-redis-cmd.md is stale" + FIX);
    }
}
