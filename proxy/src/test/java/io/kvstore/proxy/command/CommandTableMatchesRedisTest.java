package io.kvstore.proxy.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kvstore.testing.RedisServer;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The table must know every command (and subcommand) the real redis-server knows, with the same
 * arity and key positions, so a Redis upgrade that adds a command fails the build here instead
 * of reaching clients as "unknown command".
 */
class CommandTableMatchesRedisTest {

    @Test
    void everyRedisCommandIsInTheTableWithTheSameShape() {
        CommandTable table = CommandTable.load();
        List<String> problems = new ArrayList<>();
        Set<String> redisNames = new TreeSet<>();
        try (RedisServer redis = RedisServer.start(); Jedis jedis = redis.client()) {
            @SuppressWarnings("unchecked")
            List<Object> commands = (List<Object>) jedis.sendCommand(Protocol.Command.COMMAND);
            for (Object c : commands) {
                check(table, (List<?>) c, problems, redisNames);
            }
        }
        for (CommandSpec spec : table.all()) {
            if (!redisNames.contains(spec.name()) && !spec.kvstoreOnly()) {
                problems.add("table has " + spec.name() + " which redis-server does not know");
            }
        }
        assertTrue(problems.isEmpty(), String.join("\n", problems));
        assertEquals(table.topLevelCount(), redisNames.stream().filter(n -> n.indexOf('|') < 0).count(), "COMMAND COUNT");
    }

    /** R, W, RW or - per key spec, as the table writes them: what ACL %R~ / %W~ patterns are checked against. */
    private static String keyAccess(List<?> keySpecs) {
        List<String> out = new ArrayList<>();
        for (Object ks : keySpecs) {
            List<?> fields = (List<?>) ks;
            Set<String> flags = new TreeSet<>();
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                if (SafeEncoder.encode((byte[]) fields.get(i)).equals("flags")) {
                    ((List<?>) fields.get(i + 1)).forEach(f -> flags.add(SafeEncoder.encode((byte[]) f)));
                }
            }
            String a = (flags.contains("access") ? "R" : "")
                    + (flags.contains("insert") || flags.contains("delete") || flags.contains("update") ? "W" : "");
            out.add(a.isEmpty() ? "-" : a);
        }
        return out.isEmpty() ? "-" : String.join(",", out);
    }

    private static void check(CommandTable table, List<?> c, List<String> problems, Set<String> names) {
        String name = SafeEncoder.encode((byte[]) c.get(0));
        names.add(name);
        CommandSpec spec = table.get(name);
        if (spec == null) {
            problems.add("missing from the table: " + name);
        } else {
            int arity = ((Long) c.get(1)).intValue();
            int first = ((Long) c.get(3)).intValue();
            int last = ((Long) c.get(4)).intValue();
            int step = ((Long) c.get(5)).intValue();
            if (spec.arity() != arity && !name.equals("keys")) { // KEYS takes kvstore's paging options
                problems.add(name + ": arity " + spec.arity() + " but redis says " + arity);
            }
            if (spec.firstKey() != first || spec.lastKey() != last || spec.keyStep() != step) {
                problems.add(name + ": key positions differ from redis");
            }
            int categories = 0;
            for (Object cat : (List<?>) c.get(6)) {
                AclCategory category = AclCategory.byName(SafeEncoder.encode((byte[]) cat).substring(1));
                categories |= category == null ? 0 : category.bit();
            }
            if (spec.aclCategories() != categories) {
                problems.add(name + ": ACL categories differ from redis");
            }
            String access = keyAccess((List<?>) c.get(8));
            if (!spec.keyAccess().equals(access)) {
                problems.add(name + ": key access " + spec.keyAccess() + " but redis's key specs say " + access);
            }
        }
        if (c.size() > 9 && c.get(9) instanceof List<?> subs) {
            for (Object sub : subs) {
                check(table, (List<?>) sub, problems, names);
            }
        }
    }
}
