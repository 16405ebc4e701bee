package io.kvstore.proxy.command;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * Renders {@code doc/commands.md} and {@code doc/not-support-redis-cmd.md} from the command table,
 * so the documents cannot drift from what the proxy does (a test compares them). Run with the
 * repository's doc directory as argument to rewrite them. Stateless.
 */
public final class CommandDocs {

    private CommandDocs() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "doc");
        CommandTable table = CommandTable.load();
        Files.writeString(dir.resolve("commands.md"), commands(table), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("not-support-redis-cmd.md"), refused(table), StandardCharsets.UTF_8);
    }

    static String commands(CommandTable table) {
        StringBuilder out = new StringBuilder();
        out.append("# Command support\n\n")
           .append("Generated from `proxy/src/main/resources/io/kvstore/proxy/command/commands.tsv` by\n")
           .append("`io.kvstore.proxy.command.CommandDocs`; `CommandDocsTest` fails when this file is stale.\n\n")
           .append("Clients may speak RESP2 or RESP3 (`HELLO 3`), with client-side caching (`CLIENT TRACKING`):\n")
           .append("every reply comes in the client's protocol as one redis-server sends it; see resp3.md.\n\n")
           .append("How kvstore runs each command of Redis 7:\n\n");
        for (CommandKind kind : CommandKind.values()) {
            out.append("- **").append(kind).append("**: ").append(describe(kind)).append('\n');
        }
        out.append("\n")
           .append("## Multi-key commands and transactions\n")
           .append("\n")
           .append("As in Redis Cluster, the keys of one command that does not split (SAME_GROUP, MOVABLE_KEYS,\n")
           .append("BLOCKING with several keys, WATCH) must all be in one slot, else\n")
           .append("`-CROSSSLOT Keys in request don't hash to the same slot`, whatever group the slots sit on:\n")
           .append("an application behaves the same on one group or ten, before and after a rebalance. Put the\n")
           .append("keys in one slot with a hash tag: only the part inside the first `{...}` is hashed, so\n")
           .append("`{user1}:name` and `{user1}:mail` always live together. Split commands (MGET, MSET, DEL,\n")
           .append("EXISTS, UNLINK, TOUCH) take keys of any slots, and keyspace commands run on every group.\n")
           .append("\n")
           .append("Inside MULTI, kvstore answers as Redis Cluster does (checked against a redis-server in cluster\n")
           .append("mode): a command whose own keys span slots gets -CROSSSLOT and EXEC then answers -EXECABORT;\n")
           .append("commands each in one slot but not the same one are queued (`+QUEUED`) and EXEC answers\n")
           .append("-CROSSSLOT, running none of them. One difference: Redis Cluster runs a transaction on keys of\n")
           .append("another slot than the WATCHed ones when one node serves both; kvstore needs the WATCHed keys\n")
           .append("and the transaction's keys in one slot (EXEC answers -CROSSSLOT otherwise), so that this does\n")
           .append("not depend on the layout either.\n")
           .append("\n")
           .append("A key on a group marked down gets `-CLUSTERDOWN` in a transaction too, as Redis Cluster answers,\n")
           .append("without the group's master being asked: WATCH is refused; a command queued in MULTI is refused\n")
           .append("and EXEC then answers -EXECABORT; an EXEC whose group went down after WATCH or a queued command\n")
           .append("answers -CLUSTERDOWN and runs none of them.\n")
           .append("\n")
           .append("`--multi-key-scope group` keeps the rule of earlier kvstore versions: keys of any slots of one\n")
           .append("group under the current slot map. More commands run, but which ones depends on where slots sit:\n")
           .append("a command that runs on one layout gets -CROSSSLOT once a reshard moves one of its slots away\n")
           .append("from the others (from the migration step on). It is never run split over two groups: see\n")
           .append("resharding.md, *Multi-key commands during a migration*.\n")
           .append("\n")
           .append("## Key rewrite and reserved key names\n")
           .append("\n")
           .append("While the cluster has key rewrite rules (`kvstore-admin rewrite`, operations.md, *Forgetting a key\n")
           .append("pattern*), a key that matches a rule is stored as `\\xffkv<generation>:<key>`, and a client's key\n")
           .append("that starts with the bytes `\\xff k v` is refused:\n")
           .append("`-ERR key names starting with \\xffkv are reserved for kvstore's key rewrite`. Clients always see\n")
           .append("their own names: KEYS, SCAN (MATCH is applied by the proxy to the client's names) and RANDOMKEY\n")
           .append("show them, and hide the keys of older generations (RANDOMKEY then answers nil); the blocking and\n")
           .append("multi pops (BLPOP, BRPOP, BZPOPMIN/MAX, LMPOP, BLMPOP, ZMPOP, BZMPOP) and XREAD/XREADGROUP name\n")
           .append("the key by the client's name, inside MULTI too (each queued command's element of EXEC's reply\n")
           .append("is filtered). `KEYS pattern PIVOT/LIMIT/DESC/WITHVALUES` and `PDEL` match, order and page by\n")
           .append("the client's names (the servers are asked for `*pattern`), skip older generations, and read or\n")
           .append("delete each key under its stored name; PDEL leaves older generations to their TTL or to\n")
           .append("`kvstore-admin rewrite reclaim`.\n")
           .append("\n")
           .append("Keyspace notifications: `SUBSCRIBE __keyspace@<db>__:<key>` of a rewritten key is made on its\n")
           .append("stored key's channel (and moved to the new one by a bump); messages on `__keyspace@` channels\n")
           .append("and the key in `__keyevent@` payloads are shown by the client's names, and notifications of keys\n")
           .append("clients cannot see (older generations expiring or evicted, keys stored before their rule) are\n")
           .append("dropped. Not covered: a `PSUBSCRIBE` pattern is sent as given, so a keyspace pattern that names\n")
           .append("a rewritten key's prefix (`__keyspace@0__:user:*`) does not match the stored names; use\n")
           .append("`__keyspace@0__:*user:*` (matches both; the proxy then shows the logical names) or the exact\n")
           .append("channel. CLIENT TRACKING invalidations name the client's keys (BCAST prefixes are matched against\n")
           .append("them), and a rules change (add, bump, remove) tells every tracking client to drop its cache (a\n")
           .append("null invalidation), since a bump makes keys vanish without a write. Hot keys (`INFO hotkeys`)\n")
           .append("and SLOWLOG show the client's names; MONITOR is not offered. Not rewritten: key names a Lua\n")
           .append("script or function builds itself (KEYS[] arguments are), SORT's BY/GET patterns. Without rules\n")
           .append("the proxy does not look at key names for this (one branch per request; Pub/Sub messages pay one\n")
           .append("byte check for a `__key` channel).\n")
           .append("\n")
           .append("The ACL categories (`+@read`, `-@dangerous` ... in user rules, see security.md) are Redis's own,\n")
           .append("checked against the real server's COMMAND like the rest of the table.\n")
           .append("\n")
           .append("| command | arity | kind | merge | ACL categories | note |\n|---|---|---|---|---|---|\n");
        for (CommandSpec s : sorted(table)) {
            out.append("| `").append(s.displayName()).append("` | ").append(s.arity()).append(" | ").append(s.kind())
               .append(" | ").append(s.merge() == null ? "" : s.merge().name()).append(" | ").append(categories(s))
               .append(" | ").append(s.reason().replace("|", "\\|")).append(" |\n");
        }
        return out.toString();
    }

    static String refused(CommandTable table) {
        StringBuilder out = new StringBuilder();
        out.append("# Commands kvstore refuses\n\n")
           .append("Generated from the command table like `commands.md`. Each is answered with\n")
           .append("`-ERR command '<name>' is not supported by kvstore proxy: <reason>`.\n\n")
           .append("| command | reason |\n|---|---|\n");
        for (CommandSpec s : sorted(table)) {
            if (s.kind() == CommandKind.REFUSED) {
                out.append("| `").append(s.displayName()).append("` | ").append(s.reason().replace("|", "\\|")).append(" |\n");
            }
        }
        return out.toString();
    }

    private static String categories(CommandSpec s) {
        StringBuilder b = new StringBuilder();
        for (AclCategory c : AclCategory.values()) {
            if (s.inCategory(c)) {
                b.append(b.length() == 0 ? "" : " ").append('@').append(c.label());
            }
        }
        return b.toString();
    }

    private static List<CommandSpec> sorted(CommandTable table) {
        return table.all().stream().sorted(Comparator.comparing(CommandSpec::name)).toList();
    }

    private static String describe(CommandKind kind) {
        return switch (kind) {
            case SINGLE -> "one key; sent as is to the group owning the key's slot.";
            case SAME_GROUP -> "several keys at fixed positions; run when all are in one slot (one group with "
                    + "`--multi-key-scope group`), else -CROSSSLOT.";
            case SPLIT_MGET -> "split into one MGET per group; values merged back in key order.";
            case SPLIT_MSET -> "split into one MSET per group; OK when every group said OK.";
            case SPLIT_SUM -> "split per group; the integer replies are summed.";
            case MOVABLE_KEYS -> "keys found by the command's own rule (numkeys, STORE, STREAMS); all must be in one slot "
                    + "(one group with `--multi-key-scope group`). "
                    + "Scripts with numkeys 0 run on the first group.";
            case FAN_OUT -> "sent to every group; replies merged as the merge column says.";
            case ANY_SHARD -> "no key; answered by the first group.";
            case KEYSPACE -> "kvstore extension walking every group with SCAN (PDEL).";
            case LOCAL -> "answered by the proxy (connection state, proxy settings, COMMAND from the table).";
            case TRANSACTION -> "MULTI/EXEC: queued in the proxy, run on the client's own connection to the group of its keys "
                    + "(all in one slot, see below).";
            case BLOCKING -> "run on the client's own connection to the group of its keys, so shared pipelines never stall.";
            case PUBSUB -> "channels live on the group of their slot; patterns are subscribed on every group. The clients of "
                    + "one proxy event loop share one subscription per group, so PUBLISH and PUBSUB NUMSUB/NUMPAT count "
                    + "(proxy loop, group) subscriptions, not clients.";
            case CONTAINER -> "decided by the subcommand.";
            case REFUSED -> "refused with an error; see not-support-redis-cmd.md.";
        };
    }
}
