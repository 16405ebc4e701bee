package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterMode;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvstore-admin cluster create|list|delete}. */
@Command(name = "cluster", description = "Create, list or delete clusters.",
        subcommands = {ClusterCommand.Create.class, ClusterCommand.ListClusters.class, ClusterCommand.Delete.class},
        footer = {"", Exit.SUMMARY})
public final class ClusterCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: create, list or delete");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    @Command(name = "create", description = {"Create a cluster: its groups, and the 16384 slots spread evenly over them in the order given.",
            "Each redis-server is checked first (it answers; a master is a master)."},
            footer = {"", "Example: kvstore-admin cluster create shop --mode cache \\",
                    "           --group 127.0.0.1:7001,127.0.0.1:7101 --group 127.0.0.1:7002", "", Exit.SUMMARY})
    static final class Create extends AdminCommand {

        @Parameters(index = "0", paramLabel = "NAME", description = "Cluster name: letters, digits, '_', '.', '-'.")
        String name;

        @Option(names = "--mode", required = true, paramLabel = "cache|datastore",
                description = "cache: may lose data to stay available; datastore: must not lose data.")
        String mode;

        @Option(names = "--group", required = true, paramLabel = "MASTER[,REPLICA...]",
                description = "A group: its master's host:port, then its replicas'. Repeat for each group; they become g1, g2, ...")
        List<String> groups;

        @Option(names = "--no-check", description = "Do not connect to the redis-servers before creating.")
        boolean noCheck;

        @Mixin
        RedisOptions redis;

        @Override
        protected int run() {
            ClusterMode m = ClusterMode.parse(mode);
            List<Group> gs = new ArrayList<>();
            for (String g : groups) {
                gs.add(parseGroup("g" + (gs.size() + 1), g));
            }
            Topology topology = Topology.create(name, m, gs);
            try (ClusterStore store = openStore()) {
                if (store.clusters().contains(name)) {
                    throw new StoreException.Conflict("cluster " + name + " already exists; delete it first"
                            + " (kvstore-admin cluster delete " + name + ") or choose another name");
                }
                store.checkClaims(name, topology.addresses());
                if (!noCheck) {
                    int code = checkServers(redis.probe(), topology.groups());
                    if (code != Exit.OK) {
                        return code;
                    }
                }
                Versioned<Topology> created = store.create(topology);
                out().println("created cluster " + name + " (" + m + "), epoch " + created.value().epoch() + ":");
                printRanges(this, created.value());
                return Exit.OK;
            }
        }
    }

    /** Prints each group with its slot ranges, one line per group. */
    static void printRanges(AdminCommand cmd, Topology t) {
        for (Group g : t.groups()) {
            List<String> ranges = new ArrayList<>();
            for (SlotRange r : t.ranges()) {
                if (r.groupId().equals(g.id())) {
                    ranges.add(r.start() == r.end() ? Integer.toString(r.start()) : r.start() + "-" + r.end());
                }
            }
            cmd.out().printf("  %-8s %-21s %5d slots  %s%n", g.id(), g.master(), t.slotCount(g.id()),
                    ranges.isEmpty() ? "-" : String.join(",", ranges));
        }
    }

    @Command(name = "list", description = "List the clusters with their mode, epoch, groups and proxies.", footer = {"", Exit.SUMMARY})
    static final class ListClusters extends AdminCommand {

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                ArrayNode all = JSON.createArrayNode();
                if (!json) {
                    out().printf("%-24s %-10s %8s %7s %8s%n", "NAME", "MODE", "EPOCH", "GROUPS", "PROXIES");
                }
                for (String name : store.clusters()) {
                    int proxies = store.proxies(name).size();
                    ObjectNode n = all.addObject();
                    n.put("name", name);
                    try {
                        Topology t = store.read(name).value();
                        n.put("mode", t.mode().wireName());
                        n.put("epoch", t.epoch());
                        n.put("groups", t.groups().size());
                        if (!json) {
                            out().printf("%-24s %-10s %8d %7d %8d%n", name, t.mode(), t.epoch(), t.groups().size(), proxies);
                        }
                    } catch (StoreException.Malformed e) {
                        n.put("error", e.getMessage());
                        if (!json) {
                            out().printf("%-24s unreadable: %s%n", name, e.getMessage());
                        }
                    }
                    n.put("proxies", proxies);
                }
                if (json) {
                    printJson(all);
                }
                return Exit.OK;
            }
        }
    }

    @Command(name = "delete", description = {"Delete a cluster's description and release its redis-servers.",
            "Refused while proxies serve it, unless --force. The data on the servers is not touched."},
            footer = {"", Exit.SUMMARY})
    static final class Delete extends AdminCommand {

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Option(names = "--force", description = "Delete even though proxies are registered; they keep routing by the last map they had.")
        boolean force;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                store.delete(name, force);
                out().println("deleted cluster " + name);
                return Exit.OK;
            }
        }
    }
}
