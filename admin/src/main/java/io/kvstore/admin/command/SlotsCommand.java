package io.kvstore.admin.command;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kvstore.config.Group;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.SlotRange;
import io.kvstore.config.store.Topology;
import io.kvstore.config.store.Versioned;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kvstore-admin slots show|assign}. */
@Command(name = "slots", description = "Show the slot map, or assign slots to a group.",
        subcommands = {SlotsCommand.Show.class, SlotsCommand.Assign.class}, footer = {"", Exit.SUMMARY})
public final class SlotsCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: show or assign");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    @Command(name = "show", description = "Show which group owns which slots.", footer = {"", Exit.SUMMARY})
    static final class Show extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Option(names = "--json", description = "Print JSON for scripts.")
        boolean json;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                Topology t = store.read(cluster).value();
                if (json) {
                    ObjectNode root = JSON.createObjectNode();
                    root.put("cluster", cluster);
                    root.put("epoch", t.epoch());
                    ArrayNode ranges = root.putArray("slots");
                    for (SlotRange r : t.ranges()) {
                        ranges.addArray().add(r.start()).add(r.end()).add(r.groupId());
                    }
                    printJson(root);
                } else {
                    out().println("cluster " + cluster + ", epoch " + t.epoch() + ":");
                    for (SlotRange r : t.ranges()) {
                        Group g = t.group(r.groupId()).orElseThrow();
                        out().printf("  %5d-%-5d %6d slots  %-8s %s%n", r.start(), r.end(), r.size(), g.id(), g.master());
                    }
                }
                return Exit.OK;
            }
        }
    }

    @Command(name = "assign", description = {"Give slots to a group. Metadata only: keys already stored in those slots stay",
            "on their old server (moving data comes with resharding); proxies route the slots to the new group at once."},
            footer = {"", "Example: kvstore-admin slots assign shop 0-4095 9000 --to g3", "", Exit.SUMMARY})
    static final class Assign extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1..*", arity = "1..*", paramLabel = "SLOTS", description = "Slots or ranges: 42, 0-4095.")
        List<String> slots;

        @Option(names = "--to", required = true, paramLabel = "GROUP", description = "The group that gets the slots.")
        String group;

        @Override
        protected int run() {
            List<SlotRange> ranges = new ArrayList<>();
            for (String s : slots) {
                for (String part : s.split(",")) {
                    if (!part.isBlank()) {
                        ranges.add(SlotRange.parse(part, group));
                    }
                }
            }
            try (ClusterStore store = openStore()) {
                Versioned<Topology> v = store.update(cluster, t -> t.withSlotsAssigned(ranges));
                int n = ranges.stream().mapToInt(SlotRange::size).sum();
                out().println("assigned " + n + " slot" + (n == 1 ? "" : "s") + " to group " + group + " of cluster " + cluster
                        + ", epoch " + v.value().epoch() + ":");
                ClusterCommand.printRanges(this, v.value());
                return Exit.OK;
            }
        }
    }
}
