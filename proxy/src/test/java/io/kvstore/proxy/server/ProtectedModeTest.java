package io.kvstore.proxy.server;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.config.HostPort;
import io.kvstore.proxy.acl.Users;
import io.kvstore.proxy.command.CommandTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Protected mode: off loopback, someone must need a password, as Redis's protected mode asks. */
class ProtectedModeTest {

    private static final CommandTable TABLE = CommandTable.load();
    private static final HostPort ANY = HostPort.parse("0.0.0.0:7000");

    @Test
    void refusesAnOpenDefaultUserOffLoopbackOnly() {
        Users open = Users.of(List.of(), null, TABLE);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProtectedMode.check("--listen", ANY, open));
        assertTrue(e.getMessage().contains("--protected-mode no"), e.getMessage());
        assertDoesNotThrow(() -> ProtectedMode.check("--listen", HostPort.parse("127.0.0.1:7000"), open));
        assertDoesNotThrow(() -> ProtectedMode.check("--listen", ANY, Users.of(List.of(), "secret", TABLE)));
        assertDoesNotThrow(() -> ProtectedMode.check("--listen", ANY, Users.of(List.of("default off", "a on >p +@all"), null, TABLE)));
        assertThrows(IllegalArgumentException.class, () -> ProtectedMode.parse("maybe"));
    }

    @Test
    void theProxyDoesNotStartOpenOnAnyAddress() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream saved = System.err;
        int code;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            code = new CommandLine(new ProxyMain()).execute("--listen", "0.0.0.0:0", "--backends", "127.0.0.1:1");
        } finally {
            System.setErr(saved);
        }
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("protected mode"), err.toString(StandardCharsets.UTF_8));
    }
}
