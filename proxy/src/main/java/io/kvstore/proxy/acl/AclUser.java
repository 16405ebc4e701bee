package io.kvstore.proxy.acl;

import io.kvstore.proxy.command.AclCategory;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.command.Glob;
import io.kvstore.proxy.resp.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A user ready to check requests: its {@link UserRules} with the command rules compiled against
 * the command table into the set of commands it may run. Immutable; shared by every event loop,
 * and replaced as a whole when the user's rules change.
 */
public final class AclUser {

    /** Why a request is refused. */
    public enum Denial { NONE, COMMAND, KEY, CHANNEL }

    private final UserRules rules;
    private final Set<CommandSpec> allowed;
    /** Commands allowed only with a given first argument ({@code +select|0}): command name → arguments. */
    private final Map<String, Set<String>> firstArgs;
    private final boolean unrestricted;

    private AclUser(UserRules rules, Set<CommandSpec> allowed, Map<String, Set<String>> firstArgs, boolean unrestricted) {
        this.rules = rules;
        this.allowed = allowed;
        this.firstArgs = firstArgs;
        this.unrestricted = unrestricted;
    }

    /** Compiles {@code rules}: every command of {@code table} is allowed or not by the last rule naming it. */
    public static AclUser compile(UserRules rules, CommandTable table) {
        Set<CommandSpec> allowed = Collections.newSetFromMap(new IdentityHashMap<>());
        Map<String, Set<String>> firstArgs = new java.util.HashMap<>();
        for (CommandSpec spec : table.all()) {
            if (allows(rules, spec)) {
                allowed.add(spec);
            }
        }
        for (String rule : rules.commandRules()) {
            int bar = rule.indexOf('|');
            CommandSpec base = bar < 0 ? null : table.get(rule.substring(1, bar));
            if (base != null && base.kind() != CommandKind.CONTAINER && rule.charAt(0) == '+' && !allowed.contains(base)) {
                firstArgs.computeIfAbsent(base.name(), n -> new java.util.HashSet<>()).add(rule.substring(bar + 1));
            }
        }
        boolean all = allowed.size() == table.all().size() && rules.allKeys() && rules.allChannels();
        return new AclUser(rules, allowed, firstArgs, all);
    }

    /** Whether the last rule naming {@code spec} (itself, its container, or a category of it) allows it. */
    private static boolean allows(UserRules rules, CommandSpec spec) {
        boolean allowed = rules.allCommands();
        int bar = spec.name().indexOf('|');
        String container = bar < 0 ? null : spec.name().substring(0, bar);
        for (String rule : rules.commandRules()) {
            String target = rule.substring(1);
            boolean names = target.equals(spec.name()) || target.equals(container)
                    || target.startsWith("@") && spec.inCategory(AclCategory.byName(target.substring(1)));
            if (names) {
                allowed = rule.charAt(0) == '+';
            }
        }
        return allowed;
    }

    public String name() {
        return rules.name();
    }

    public UserRules rules() {
        return rules;
    }

    /** Whether the user may do anything: no check is needed for its requests. */
    public boolean unrestricted() {
        return unrestricted;
    }

    /** Whether a client may authenticate as this user with {@code password}. */
    public boolean accepts(byte[] password) {
        if (!rules.enabled()) {
            return false;
        }
        if (rules.nopass()) {
            return true;
        }
        byte[] given = AclRules.hash(password).getBytes(StandardCharsets.US_ASCII);
        boolean ok = false;
        for (String h : rules.passwords()) {
            ok |= MessageDigest.isEqual(given, h.getBytes(StandardCharsets.US_ASCII)); // no early exit: constant time
        }
        return ok;
    }

    /**
     * Whether the user may run {@code request} of {@code spec}, whose arguments from {@code base}
     * are the command (ACL DRYRUN holds it from argument 2), with keys at {@code keys}.
     * {@code denied} receives the index of the refused key or channel argument, when there is one.
     */
    public Denial check(CommandSpec spec, Request request, int base, int[] keys, int[] denied) {
        if (unrestricted) {
            return Denial.NONE;
        }
        if (!allowed.contains(spec) && !firstArgAllowed(spec, request, base)) {
            return Denial.COMMAND;
        }
        if (!rules.allKeys()) {
            if (spec.kind() == CommandKind.KEYSPACE) { // PDEL deletes by pattern: only for a user of every key
                denied[0] = -1;
                return Denial.KEY;
            }
            for (int i = 0; i < keys.length; i++) {
                if (!keyAllowed(request.argString(keys[i]), access(spec, request, base, i))) {
                    denied[0] = keys[i];
                    return Denial.KEY;
                }
            }
        }
        if (!rules.allChannels()) {
            int channel = deniedChannel(spec, request, base);
            if (channel >= 0) {
                denied[0] = channel;
                return Denial.CHANNEL;
            }
        }
        return Denial.NONE;
    }

    private boolean firstArgAllowed(CommandSpec spec, Request request, int base) {
        Set<String> args = firstArgs.get(spec.name());
        return args != null && request.argCount() > base + 1 && args.contains(request.argString(base + 1).toLowerCase(java.util.Locale.ROOT));
    }

    /** What the command does to its {@code i}-th key; SET without GET only writes (Redis's own refinement). */
    private static int access(CommandSpec spec, Request request, int base, int i) {
        if (spec.name().equals("set")) {
            for (int a = base + 3; a < request.argCount(); a++) {
                if (request.argIs(a, "GET")) {
                    return CommandSpec.READS | CommandSpec.WRITES;
                }
            }
            return CommandSpec.WRITES;
        }
        return spec.keyAccess(i);
    }

    private boolean keyAllowed(String key, int access) {
        for (KeyPattern p : rules.keys()) {
            if ((p.access() & access) == access && Glob.matches(p.pattern(), key)) {
                return true;
            }
        }
        return false;
    }

    /** The first channel argument the user may not use, or -1: PUBLISH's channel, each (S)SUBSCRIBE channel, PSUBSCRIBE's patterns literally. */
    private int deniedChannel(CommandSpec spec, Request request, int base) {
        switch (spec.name()) {
            case "publish", "spublish" -> {
                return channelAllowed(request.argString(base + 1), false) ? -1 : base + 1;
            }
            case "subscribe", "ssubscribe", "psubscribe" -> {
                boolean literal = spec.name().equals("psubscribe");
                for (int i = base + 1; i < request.argCount(); i++) {
                    if (!channelAllowed(request.argString(i), literal)) {
                        return i;
                    }
                }
                return -1;
            }
            default -> {
                return -1;
            }
        }
    }

    private boolean channelAllowed(String channel, boolean literal) {
        for (String p : rules.channels()) {
            if (literal ? p.equals(channel) : Glob.matches(p, channel)) {
                return true;
            }
        }
        return false;
    }
}
