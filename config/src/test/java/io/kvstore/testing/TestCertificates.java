package io.kvstore.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throw-away PKI made with the {@code openssl} command in a temporary directory: a CA, a server
 * certificate for 127.0.0.1/localhost, a client certificate, both signed by the CA, and a client
 * certificate signed by another CA (the wrong one). EC P-256 keys in PKCS#8 PEM, valid two days.
 * For tests; one controlling thread. {@link #close()} removes the directory.
 */
public final class TestCertificates implements AutoCloseable {

    private final Path dir;
    private final String serverNames;

    private TestCertificates(Path dir, String serverNames) {
        this.dir = dir;
        this.serverNames = serverNames;
    }

    /** Makes the CA, the server and client certificates and the rogue client certificate. */
    public static TestCertificates generate() {
        return generate("IP:127.0.0.1,DNS:localhost");
    }

    /** The same with a server certificate for {@code serverNames} (a subjectAltName value) only. */
    public static TestCertificates generate(String serverNames) {
        Path dir;
        try {
            dir = Files.createTempDirectory("kvstore-tls-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestCertificates c = new TestCertificates(dir, serverNames);
        try {
            c.ca("ca");
            c.ca("other-ca");
            c.issue("ca", "server", "kvstore-test-server");
            c.issue("ca", "client", "kvstore-test-client");
            c.issue("other-ca", "rogue", "kvstore-rogue-client");
            return c;
        } catch (RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /**
     * Issues a new server certificate with common name {@code cn} from the same CA and writes it
     * to {@code server.crt}/{@code server.key} in place (a certificate rotation).
     */
    public void reissueServer(String cn) {
        issue("ca", "server-next", cn);
        try {
            // Replaced whole (rename), key first: a reader never sees half a file.
            Files.move(path("server-next.key"), path("server.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            Files.move(path("server-next.crt"), path("server.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String ca() {
        return file("ca.crt");
    }

    public String serverCert() {
        return file("server.crt");
    }

    public String serverKey() {
        return file("server.key");
    }

    public String clientCert() {
        return file("client.crt");
    }

    public String clientKey() {
        return file("client.key");
    }

    /** A client certificate signed by a CA the servers do not trust. */
    public String rogueCert() {
        return file("rogue.crt");
    }

    public String rogueKey() {
        return file("rogue.key");
    }

    private String file(String name) {
        return path(name).toString();
    }

    private Path path(String name) {
        return dir.resolve(name);
    }

    private void ca(String name) {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", file(name + ".key"), "-out", file(name + ".crt"), "-days", "2", "-subj", "/CN=" + name + "-kvstore-test");
    }

    private void issue(String ca, String name, String cn) {
        try {
            Files.writeString(path(name + ".ext"), "subjectAltName=" + (name.startsWith("server") ? serverNames
                    : "IP:127.0.0.1,DNS:localhost") + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", file(name + ".key"), "-out", file(name + ".csr"), "-subj", "/CN=" + cn);
        openssl("x509", "-req", "-in", file(name + ".csr"), "-CA", file(ca + ".crt"), "-CAkey", file(ca + ".key"),
                "-CAcreateserial", "-out", file(name + ".crt"), "-days", "2", "-extfile", file(name + ".ext"));
    }

    private void openssl(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Path log = path("openssl.log");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("openssl did not finish: " + cmd);
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException("openssl failed: " + cmd + "\n" + Files.readString(log));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run openssl (is it installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // best effort: it is a temporary directory
        }
    }
}
