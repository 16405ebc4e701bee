package io.kvstore.admin.command;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.redis.ServerConfig;
import io.kvstore.config.store.BackendConfigStore;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvstore-admin group add|remove}. */
@Command(name = "group", description = "Add a group to a cluster, or remove one that owns no slots.",
        subcommands = {GroupCommand.Add.class, GroupCommand.Remove.class}, footer = {"", Exit.SUMMARY})
public final class GroupCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: add or remove");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    @Command(name = "add", description = {"Add a group (a master and its replicas). It owns no slots until you assign some",
            "(kvstore-admin slots assign)."},
            footer = {"", "Example: kvstore-admin group add shop 127.0.0.1:7003,127.0.0.1:7103", "", Exit.SUMMARY})
    static final class Add extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "MASTER[,REPLICA...]", description = "The master's host:port, then its replicas'.")
        String members;

        @Option(names = "--id", paramLabel = "ID", description = "Group id (default: the next free g<n>).")
        String id;

        @Option(names = "--no-check", description = "Do not connect to the redis-servers first.")
        boolean noCheck;

        @Mixin
        RedisOptions redis;

        @Override
        protected int run() {
            if (id != null) {
                Topology.checkName("group id", id);
            }
            parseGroup("new", members); // a usage error before anything else
            try (ClusterStore store = openStore()) {
                Topology current = store.read(cluster).value();
                Group shape = parseGroup(id == null ? current.nextGroupId() : id, members);
                current.withGroupAdded(shape); // fail fast: id taken, address already in this cluster
                store.checkClaims(cluster, new LinkedHashSet<>(concat(shape)));
                if (!noCheck) {
                    int code = checkServers(redis.probe(), List.of(shape));
                    if (code != Exit.OK) {
                        return code;
                    }
                }
                // The cluster-wide parameters first, so the group has them before it can take a slot.
                ServerConfig.apply(concat(shape), redis.auth(), new BackendConfigStore(store.client(), cluster).read().params())
                        .forEach(f -> err("warning: cluster parameters not applied to " + f + " (the failover controller retries)"));
                Versioned<Topology> v = store.update(cluster,
                        t -> t.withGroupAdded(parseGroup(id == null ? t.nextGroupId() : id, members)));
                Group added = v.value().groups().get(v.value().groups().size() - 1);
                out().println("added group " + added.id() + " (master " + added.master()
                        + (added.replicas().isEmpty() ? "" : ", replicas " + added.replicas()) + ") to cluster " + cluster
                        + ", epoch " + v.value().epoch() + "; it owns no slots yet");
                return Exit.OK;
            }
        }
    }

    private static List<HostPort> concat(Group g) {
        List<HostPort> all = new ArrayList<>();
        all.add(g.master());
        all.addAll(g.replicas());
        return all;
    }

    @Command(name = "remove", description = {"Remove a group from a cluster and release its redis-servers.",
            "Refused while the group owns slots: assign them elsewhere first."}, footer = {"", Exit.SUMMARY})
    static final class Remove extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "GROUP")
        String group;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                Versioned<Topology> v = store.update(cluster, t -> t.withGroupRemoved(group));
                out().println("removed group " + group + " from cluster " + cluster + ", epoch " + v.value().epoch());
                return Exit.OK;
            }
        }
    }
}
