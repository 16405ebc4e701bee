package io.kvstore.proxy.scripts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/kv_store.sh start} on a machine without redis-server: as root with apt-get it
 * installs redis-server itself and says so; otherwise it prints the one command to run and
 * exits non-zero. Redis cannot be uninstalled here, so the script runs with a PATH of links to
 * every tool in /usr/bin and /bin except redis-* and apt-get, plus a fake apt-get that records
 * its arguments and installs nothing, and, for the non-root case, a fake {@code id}.
 */
class KvStoreScriptInstallTest {

    private static final Path SCRIPT = Path.of("..", "scripts", "kv_store.sh").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void asRootItInstallsRedisWithAptGetAndSaysSo() throws Exception {
        Path bin = pathWithoutRedis(false);
        Result r = start(bin);
        List<String> calls = Files.readAllLines(tmp.resolve("apt-get.calls"));
        assertTrue(calls.stream().anyMatch(c -> c.matches("install -y( -qq)? redis-server")), "apt-get calls: " + calls);
        assertTrue(r.output().contains("installing it with apt-get install -y redis-server"), r.output());
        assertNotEquals(0, r.exit(), "the fake apt-get installed nothing, so start must still fail:\n" + r.output());
    }

    @Test
    void otherwiseItPrintsTheCommandToRunAndFails() throws Exception {
        Path bin = pathWithoutRedis(true);
        Result r = start(bin);
        assertNotEquals(0, r.exit());
        assertTrue(r.output().contains("sudo apt-get install -y redis-server"), r.output());
        assertTrue(!r.output().contains("brew"), "one command, for this machine:\n" + r.output());
        assertEquals(List.of(), Files.exists(tmp.resolve("apt-get.calls"))
                ? Files.readAllLines(tmp.resolve("apt-get.calls")) : List.of(), "apt-get must not run");
    }

    private record Result(int exit, String output) {
    }

    private Result start(Path bin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("/bin/bash", SCRIPT.toString(), "start", "--dir", tmp.resolve("run").toString());
        pb.environment().put("PATH", bin.toString());
        pb.redirectErrorStream(true);
        pb.redirectOutput(tmp.resolve("out.txt").toFile());
        Process p = pb.start();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("kv_store.sh start still running after 60 s");
            }
        } finally {
            p.destroyForcibly();
        }
        return new Result(p.exitValue(), Files.readString(tmp.resolve("out.txt"), StandardCharsets.UTF_8));
    }

    /** A directory of links to /usr/bin and /bin minus redis-* and apt-get, with a recording apt-get (and a non-root id). */
    private Path pathWithoutRedis(boolean notRoot) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        for (String dir : new String[] {"/usr/bin", "/bin"}) {
            try (Stream<Path> tools = Files.list(Path.of(dir))) {
                for (Path tool : (Iterable<Path>) tools::iterator) {
                    String name = tool.getFileName().toString();
                    Path link = bin.resolve(name);
                    if (name.startsWith("redis-") || name.equals("apt-get") || Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        continue;
                    }
                    Files.createSymbolicLink(link, tool);
                }
            }
        }
        fake(bin.resolve("apt-get"), "echo \"$*\" >> '" + tmp.resolve("apt-get.calls") + "'");
        if (notRoot) {
            Files.deleteIfExists(bin.resolve("id"));
            fake(bin.resolve("id"), "if [ \"${1:-}\" = -u ]; then echo 1000; else echo 'uid=1000(user)'; fi");
        }
        return bin;
    }

    private static void fake(Path file, String body) throws IOException {
        Files.writeString(file, "#!/bin/bash\n" + body + "\n");
        file.toFile().setExecutable(true);
    }
}
