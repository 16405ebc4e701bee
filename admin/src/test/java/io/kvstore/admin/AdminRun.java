package io.kvstore.admin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * One run of {@code kvstore-admin} ({@link AdminMain}) in this JVM against a ZooKeeper the test
 * owns: its exit code and what it printed. Each run has its own {@link CommandLine} and output
 * buffers; nothing is left open.
 */
record AdminRun(int code, String out, String err) {

    @Override
    public String toString() {
        return "exit " + code + "\n--- out:\n" + out + "--- err:\n" + err;
    }

    /** Runs {@code kvstore-admin --zk zkConnect --zk-timeout-ms 3000 args...} and returns once it has ended. */
    static AdminRun of(String zkConnect, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("--zk", zkConnect, "--zk-timeout-ms", "3000"));
        all.addAll(List.of(args));
        int code = cli.execute(all.toArray(String[]::new));
        return new AdminRun(code, out.toString(), err.toString());
    }
}
