package io.kvstore.admin;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code bin/kvstore-admin}: the operator's command line. The subcommands work on the cluster
 * description kept in ZooKeeper, which is not built yet: each one is declared, so that
 * {@code --help} shows the plan, and says it is not available. Exit codes scripts can branch on:
 * {@value #EXIT_OK} done, {@value #EXIT_USAGE} usage error or no subcommand,
 * {@value #EXIT_NOT_BUILT} the subcommand is not built yet.
 */
@Command(name = "kvstore-admin", mixinStandardHelpOptions = true, versionProvider = AdminMain.Version.class,
        scope = CommandLine.ScopeType.INHERIT,
        description = "Operator's command line for a kvstore cluster.",
        subcommands = {io.kvstore.admin.command.ClusterCommand.class, io.kvstore.admin.command.StatusCommand.class,
                io.kvstore.admin.command.GroupCommand.class, io.kvstore.admin.command.SlotsCommand.class,
                io.kvstore.admin.command.ReshardCommands.Rebalance.class, io.kvstore.admin.command.ReshardCommands.Reshard.class,
                io.kvstore.admin.command.ReshardCommands.Migrate.class, io.kvstore.admin.command.ReshardCommands.Migrations.class},
        footer = {"", "The subcommands need the ZooKeeper control plane, which is not built yet.",
                "Until then, run kvstore-proxy in static mode (kvstore-proxy --backends ...).",
                "", "Exit codes: 0 done, 2 usage error or no subcommand, 3 subcommand not built yet."})
public final class AdminMain implements Callable<Integer>, io.kvstore.admin.command.ZkAccess {

    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_NOT_BUILT = 3;

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

    @Override
    public io.kvstore.config.store.ZkSettings zkSettings() {
        return new io.kvstore.config.store.ZkSettings(zk, Math.max(zkTimeoutMs * 2, 10_000), zkTimeoutMs, 1, zkAuth);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests: no {@code System.exit}). */
    static int run(String... args) {
        return new CommandLine(new AdminMain()).execute(args);
    }

    /** No subcommand given. */
    @Override
    public Integer call() {
        CommandLine cli = spec.commandLine();
        cli.getErr().println("kvstore-admin: name a subcommand. They work on the ZooKeeper control plane,"
                + " which is not built yet.");
        cli.getErr().println();
        cli.usage(cli.getErr());
        return EXIT_USAGE;
    }

    /** A subcommand that is planned but not built yet: says so and exits {@value #EXIT_NOT_BUILT}. */
    abstract static class PlannedCommand implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            spec.commandLine().getErr().println("kvstore-admin " + spec.name()
                    + ": not built yet; it needs the ZooKeeper control plane, which comes later.");
            return EXIT_NOT_BUILT;
        }
    }

    @Command(name = "cluster",
            description = "Create, show or delete a cluster's description in ZooKeeper (planned).")
    static final class ClusterCommand extends PlannedCommand {
    }

    @Command(name = "status",
            description = "Show the groups, their masters and replicas, and the proxies serving the cluster (planned).")
    static final class StatusCommand extends PlannedCommand {
    }

    @Command(name = "group",
            description = "Add or remove a group (a master and its replicas), or fail it over (planned).")
    static final class GroupCommand extends PlannedCommand {
    }

    @Command(name = "slots",
            description = "Show the slot map, or move slots between groups: resharding (planned).")
    static final class SlotsCommand extends PlannedCommand {
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
