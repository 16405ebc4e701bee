package io.kvstore.admin.command;

import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.UserStore;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kvstore-admin user set|del|list}: the ACL users of a cluster, in Redis's rule syntax,
 * kept in ZooKeeper ({@code users}) and applied live by every proxy (doc/security.md). A password
 * is hashed (SHA-256) before it is written. The rules are checked by the proxies: a bad line
 * disables its user there and is logged.
 */
@Command(name = "user", description = {"ACL users of a cluster (Redis's rule syntax), applied live by every proxy;",
        "the connections of a deleted or disabled user are closed."},
        subcommands = {UserCommand.Set.class, UserCommand.Del.class, UserCommand.ListUsers.class},
        footer = {"", Exit.SUMMARY})
public final class UserCommand extends AdminCommand {

    @Override
    protected int run() {
        err("name a subcommand: set, del or list");
        spec.commandLine().usage(spec.commandLine().getErr());
        return Exit.USAGE;
    }

    @Command(name = "set", description = {"Create user NAME or add RULES to it, as ACL SETUSER does: on, off, >password,",
            "<password, #sha256, nopass, resetpass, ~pattern, %R~pattern, %W~pattern, allkeys, resetkeys, &channel,",
            "allchannels, resetchannels, +command, -command, +command|sub, +@category, -@category, allcommands,",
            "nocommands, reset."},
            footer = {"", "Put -- before the rules when one starts with '-' (-@dangerous, -flushall), so it is not read as an option:",
                    "  kvstore-admin user set shop alice -- on '>s3cret' '~app:*' '+@read' '+@write' '-@dangerous'",
                    "", Exit.SUMMARY})
    static final class Set extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Parameters(index = "2..*", arity = "0..*", paramLabel = "RULES")
        List<String> rules = List.of();

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                String line = new UserStore(store.client(), cluster).set(name, rules);
                out().println(line);
                return Exit.OK;
            }
        }
    }

    @Command(name = "del", description = "Delete user NAME: its connections on every proxy are closed.",
            footer = {"", "Exit 3 when there is no such user.", Exit.SUMMARY})
    static final class Del extends AdminCommand {

        @Parameters(index = "0", paramLabel = "CLUSTER")
        String cluster;

        @Parameters(index = "1", paramLabel = "NAME")
        String name;

        @Override
        protected int run() {
            try (ClusterStore store = openStore()) {
                store.read(cluster); // NotFound for an unknown cluster
                if (!new UserStore(store.client(), cluster).delete(name)) {
                    err("no user '" + name + "' in cluster " + cluster);
                    return Exit.NOT_FOUND;
                }
                return Exit.OK;
            }
        }
    }

    @Command(name = "list", description = "Print every user's rule line (passwords as their SHA-256).",
            footer = {"", Exit.SUMMARY})
    static final class ListUsers extends ClusterListing {
        @Override
        List<String> lines(CuratorFramework zk) {
            return List.copyOf(new UserStore(zk, cluster).read().values());
        }
    }
}
