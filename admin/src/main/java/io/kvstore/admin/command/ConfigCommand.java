package io.kvstore.admin.command;

import io.kvstore.config.redis.ServerConfig;
import io.kvstore.config.store.BackendConfig;
import io.kvstore.config.store.BackendConfigChange;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.ClusterStore;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin config set|get|unset}: redis-server parameters for a whole cluster, recorded
 * in ZooKeeper ({@code backend-config}) and applied with CONFIG SET to every master and replica;
 * the failover controller applies them again to a promoted replica, a rejoining server and a new
 * group (doc/failover.md).
 */
@Command(name = "config", description = {"Redis parameters for every server of a cluster: recorded in ZooKeeper, applied to",
        "every master and replica, and re-applied by the failover controller to servers that join or are promoted."},
        subcommands = {ConfigCommand.Set.class, ConfigCommand.Get.class, ConfigCommand.Unset.class},
        footer = {"", Exit.SUMMARY})
public final class ConfigCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: set, get or unset");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    @Command(name = "set", description = {"Set PARAM to VALUE on every master and replica, then record it.",
            "The value is checked by a redis-server first: a refused value is not recorded."},
            footer = {"", "Example: kvstore-admin config set shop notify-keyspace-events KEA", "",
                    "Exit 1 when the value was recorded but some server did not take it (listed; they get it when they rejoin).",
                    Exit.SUMMARY})
    static final class Set extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "PARAM", description = "One of the parameters that may be set cluster-wide "
                + "(see doc/zookeeper-layout.md; an unknown one lists them).")
        String param;

        @Parameters(index = "2", paramLabel = "VALUE")
        String value;

        @Mixin
        RedisOptions redis;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                BackendConfigChange.Outcome o = BackendConfigChange.set(store, cluster, redis.auth(), param, value);
                out().println(o.param() + " " + o.value());
                o.failures().forEach(f -> err("recorded, but not applied to " + f));
                return o.failures().isEmpty() ? Exit.OK : Exit.UNREACHABLE;
            }
        }
    }

    @Command(name = "get", description = "Print the recorded parameters (one PARAM VALUE per line), or one of them.",
            footer = {"", Exit.SUMMARY})
    static final class Get extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", arity = "0..1", paramLabel = "PARAM")
        String param;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                store.read(cluster); // NotFound for an unknown cluster
                BackendConfig c = new BackendConfigStore(store.client(), cluster).read();
                String only = param == null ? null : param.toLowerCase(Locale.ROOT);
                for (Map.Entry<String, String> e : c.params().entrySet()) {
                    if (only == null || only.equals(e.getKey())) {
                        out().println(e.getKey() + " " + e.getValue());
                    }
                }
                return only == null || c.params().containsKey(only) ? Exit.OK : Exit.NOT_FOUND;
            }
        }
    }

    @Command(name = "unset", description = {"Forget PARAM: servers keep the value they have; servers that join later keep",
            "their own."}, footer = {"", Exit.SUMMARY})
    static final class Unset extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "PARAM")
        String param;

        @Override
        protected int run() {
            ServerConfig.checkAllowed(param);
            try (ClusterStore store = openStore()) {
                store.read(cluster);
                BackendConfigChange.unset(store, cluster, param);
                return Exit.OK;
            }
        }
    }
}
