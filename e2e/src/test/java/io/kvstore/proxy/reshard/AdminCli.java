package io.kvstore.proxy.reshard;

import io.kvstore.admin.AdminMain;
import io.kvstore.proxy.control.ZkFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * Runs the operator's CLI ({@code kvstore-admin --zk ZK args...}, {@link AdminMain}) in this JVM
 * against a {@link ZkFixture}'s ZooKeeper, and keeps what it printed. Each run has its own
 * {@link CommandLine} and output buffers, so runs may go on several threads at once (a driver
 * thread and the test thread). The caller owns the fixture; nothing here is closed.
 */
public final class AdminCli {

    /** What one run did: its exit code and what it wrote on stdout and stderr. */
    public record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n" + out + err;
        }
    }

    private AdminCli() {
    }

    /** Runs {@code kvstore-admin --zk <f's ZooKeeper> args...} and returns once it has ended. */
    public static Result run(ZkFixture f, String... args) {
        List<String> all = new ArrayList<>(List.of("--zk", f.zk.getConnectString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new AdminMain());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exit = cli.execute(all.toArray(String[]::new));
        return new Result(exit, out.toString(), err.toString());
    }
}
