package io.kvstore.admin;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bin/kvstore-admin}: the operator's command line. Every subcommand works on the cluster
 * description kept in ZooKeeper (see {@code doc/zookeeper-layout.md}); the connection options are
 * declared here once and inherited by all of them. Exit codes are {@link io.kvstore.admin.command.Exit}'s.
 * Main thread only.
 */
@Command(name = "kvstore-admin", mixinStandardHelpOptions = true, versionProvider = AdminMain.Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Operator's command line for a kvstore cluster.",
        subcommands = {io.kvstore.admin.command.ClusterCommand.class, io.kvstore.admin.command.StatusCommand.class,
                io.kvstore.admin.command.GroupCommand.class, io.kvstore.admin.command.SlotsCommand.class,
                io.kvstore.admin.command.ReshardCommands.Rebalance.class, io.kvstore.admin.command.ReshardCommands.Reshard.class,
                io.kvstore.admin.command.ReshardCommands.Migrate.class, io.kvstore.admin.command.ReshardCommands.Migrations.class,
                io.kvstore.admin.command.FailoverCommand.class, io.kvstore.admin.command.VerifyCommand.class,
                io.kvstore.admin.command.ConfigCommand.class, io.kvstore.admin.command.BackupCommand.class,
                io.kvstore.admin.command.RestoreCommand.class, io.kvstore.admin.command.ParseSnapshotCommand.class,
                io.kvstore.admin.command.RewriteCommand.class, io.kvstore.admin.command.StatsCommand.class,
                io.kvstore.admin.command.UserCommand.class},
        footer = {"", "Static mode (no ZooKeeper) needs no admin: kvstore-proxy --backends ... serves on its own.",
                "", io.kvstore.admin.command.Exit.SUMMARY})
public final class AdminMain implements Callable<Integer>, io.kvstore.admin.command.ZkAccess {

    @Spec
    CommandSpec spec;

    @CommandLine.Option(names = "--zk", scope = CommandLine.ScopeType.INHERIT, paramLabel = "HOST:PORT[,HOST:PORT...]",
            defaultValue = "${env:KVSTORE_ZK:-127.0.0.1:2181}",
            description = "ZooKeeper servers (default: $KVSTORE_ZK, else ${DEFAULT-VALUE}).")
    String zk;

    @CommandLine.Option(names = "--zk-auth", scope = CommandLine.ScopeType.INHERIT, paramLabel = "USER:PASSWORD",
            defaultValue = "${env:KVSTORE_ZK_AUTH}",
            description = "ZooKeeper digest authentication (default: $KVSTORE_ZK_AUTH); nodes created are then private to it.")
    String zkAuth;

    @CommandLine.Option(names = "--zk-timeout-ms", scope = CommandLine.ScopeType.INHERIT, defaultValue = "5000",
            description = "How long to wait for ZooKeeper (default: ${DEFAULT-VALUE}).")
    int zkTimeoutMs;

    @CommandLine.Option(names = "--zk-tls", scope = CommandLine.ScopeType.INHERIT, defaultValue = "${env:KVSTORE_ZK_TLS:-false}",
            description = "Connect to ZooKeeper's secure client port over TLS (default: $KVSTORE_ZK_TLS, else ${DEFAULT-VALUE}).")
    boolean zkTls;

    @CommandLine.Option(names = "--zk-tls-ca", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            defaultValue = "${env:KVSTORE_ZK_TLS_CA}",
            description = "CA certificates ZooKeeper's certificate must chain to (default: $KVSTORE_ZK_TLS_CA, else the JDK's).")
    String zkTlsCa;

    @CommandLine.Option(names = "--zk-tls-cert", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            defaultValue = "${env:KVSTORE_ZK_TLS_CERT}",
            description = "Client certificate for ZooKeeper, with --zk-tls-key (default: $KVSTORE_ZK_TLS_CERT).")
    String zkTlsCert;

    @CommandLine.Option(names = "--zk-tls-key", scope = CommandLine.ScopeType.INHERIT, paramLabel = "PEM",
            defaultValue = "${env:KVSTORE_ZK_TLS_KEY}",
            description = "The client certificate's private key, PKCS#8 (default: $KVSTORE_ZK_TLS_KEY).")
    String zkTlsKey;

    @Override
    public io.kvstore.config.store.ZkSettings zkSettings() {
        return new io.kvstore.config.store.ZkSettings(zk, Math.max(zkTimeoutMs * 2, 10_000), zkTimeoutMs, 1, zkAuth,
                io.kvstore.config.store.ZkTls.of(zkTls, zkTlsCa, zkTlsCert, zkTlsKey));
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests: no {@code System.exit}). */
    static int run(String... args) {
        return new CommandLine(new AdminMain()).execute(args);
    }

    /** No subcommand given: a usage error, with the list of subcommands. */
    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        cli.getErr().println("kvstore-admin: name a subcommand.");
        cli.getErr().println();
        cli.usage(cli.getErr());
        return io.kvstore.admin.command.Exit.USAGE;
    }

    /** The version build.sh writes into the packaged jar's manifest; "dev" when run from target/. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = AdminMain.class.getPackage().getImplementationVersion();
            return new String[] {"kvstore-admin " + (v == null ? "dev" : v)};
        }
    }
}
