package io.kvstore.proxy.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.proxy.it.support.ProxyCluster;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/** The stock {@code redis-cli} against the proxy: one-shot commands, a script on stdin, and --pipe. */
class RedisCliIntegrationTest {

    @RegisterExtension
    static final ProxyCluster cluster = ProxyCluster.perClass(3);

    @Test
    void oneShotSetAndGet() throws Exception {
        assertEquals("OK", cli(null, "set", "cli:k", "hello world").trim());
        assertEquals("hello world", cli(null, "get", "cli:k").trim());
        assertEquals("", cli(null, "get", "cli:missing").trim());
        assertEquals("3", cli(null, "rpush", "cli:l", "a", "b", "c").trim());
        assertEquals("a\nb\nc", cli(null, "lrange", "cli:l", "0", "-1").trim());
        String err = cli(null, "select", "1").trim();
        assertTrue(err.startsWith("ERR "), err);
    }

    @Test
    void inlineScriptOnStdin() throws Exception {
        String script = "SET cli:script 1\nINCR cli:script\nINCRBY cli:script 40\nGET cli:script\nPING\nECHO \"two words\"\n";
        assertEquals("OK\n2\n42\n42\nPONG\ntwo words", cli(script).trim());
    }

    @Test
    void pipeModeMassInsert() throws Exception {
        StringBuilder data = new StringBuilder();
        int n = 2_000;
        for (int i = 0; i < n; i++) {
            String k = "cli:pipe:" + i;
            String v = "value-" + i;
            data.append("*3\r\n$3\r\nSET\r\n$").append(k.length()).append("\r\n").append(k)
                    .append("\r\n$").append(v.length()).append("\r\n").append(v).append("\r\n");
        }
        String out = cli(data.toString(), "--pipe");
        assertTrue(out.contains("errors: 0, replies: " + n), out);
        try (Jedis jedis = cluster.client()) {
            assertEquals("value-0", jedis.get("cli:pipe:0"));
            assertEquals("value-" + (n - 1), jedis.get("cli:pipe:" + (n - 1)));
        }
        long total = cluster.shards().stream().mapToLong(s -> s.dbSize()).sum();
        assertTrue(total >= n, "keys on the shards: " + total);
    }

    /** Runs redis-cli against the proxy with {@code stdin} (or none) and returns stdout+stderr; fails if it does not end in time. */
    private static String cli(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(cluster.port())));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile("redis-cli-", ".out");
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile());
            if (stdin == null) {
                pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = pb.start();
            try {
                if (stdin != null) {
                    try (OutputStream in = p.getOutputStream()) {
                        in.write(stdin.getBytes(StandardCharsets.UTF_8));
                    }
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    throw new AssertionError("redis-cli " + args.length + " did not finish: " + Files.readString(out));
                }
            } finally {
                p.destroyForcibly();
            }
            return Files.readString(out, StandardCharsets.UTF_8);
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
