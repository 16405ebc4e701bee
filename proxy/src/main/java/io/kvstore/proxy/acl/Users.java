package io.kvstore.proxy.acl;

import io.kvstore.proxy.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Every user the proxy knows, by name, always with a {@code default} user. Immutable snapshot,
 * swapped as a whole (through a volatile reference in the proxy's context) when users change, so
 * event loops read it without locks.
 *
 * <p>Without a {@code default} line, the default user is Redis's: {@code on nopass ~* &* +@all},
 * or, when the proxy has a {@code --password}, the same with that password instead of nopass.
 */
public final class Users {

    public static final String DEFAULT = "default";

    private final Map<String, AclUser> byName;

    private Users(Map<String, AclUser> byName) {
        this.byName = byName;
    }

    /**
     * The users of {@code lines} (rule lines, {@code [user] NAME rule...}); {@code password} is the
     * default user's password when no line defines it (null: nopass).
     *
     * @throws IllegalArgumentException with the line and Redis's reason for a bad rule
     */
    public static Users of(List<String> lines, String password, CommandTable table) {
        AclRules parser = new AclRules(table);
        Map<String, UserRules> rules = new TreeMap<>();
        for (String line : lines) {
            if (line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            try {
                UserRules r = parser.parseLine(line);
                rules.merge(r.name(), r, (a, b) -> { throw new IllegalArgumentException("user " + a.name() + " is defined twice"); });
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("bad user line '" + redacted(line) + "': " + e.getMessage(), e);
            }
        }
        if (!rules.containsKey(DEFAULT)) {
            String pass = password == null || password.isEmpty() ? "nopass" : "#" + AclRules.hash(password.getBytes(StandardCharsets.UTF_8));
            rules.put(DEFAULT, parser.parseLine(DEFAULT + " on " + pass + " ~* &* +@all"));
        }
        Map<String, AclUser> users = new TreeMap<>();
        rules.forEach((name, r) -> users.put(name, AclUser.compile(r, table)));
        return new Users(users);
    }

    /**
     * The same as {@link #of}, but a bad line does not stop the others: its user is made
     * {@code off} (it cannot log in, nor can clients of the default user when the default's line is
     * bad), and {@code problems} is told why. For users read from ZooKeeper, where one bad line
     * must not lock every user out, nor let anyone in.
     */
    public static Users failClosed(List<String> lines, String password, CommandTable table,
                                   java.util.function.Consumer<String> problems) {
        AclRules parser = new AclRules(table);
        List<String> checked = new ArrayList<>();
        for (String line : lines) {
            if (line.isBlank() || line.trim().startsWith("#")) {
                continue;
            }
            try {
                parser.parseLine(line);
                checked.add(line);
            } catch (IllegalArgumentException e) {
                String[] words = line.trim().split("\\s+");
                String name = words[0].equals("user") && words.length > 1 ? words[1] : words[0];
                problems.accept("user '" + name + "' is disabled: bad rule line '" + redacted(line) + "': " + e.getMessage());
                checked.add(name + " off");
            }
        }
        try {
            return of(checked, password, table);
        } catch (IllegalArgumentException e) { // a user defined twice
            problems.accept("users not applied: " + e.getMessage());
            return of(List.of(Users.DEFAULT + " off"), password, table);
        }
    }

    /** A rule line with its {@code >password} words hidden, for error messages and logs. */
    public static String redacted(String line) {
        List<String> out = new ArrayList<>();
        for (String w : line.trim().split("\\s+")) {
            out.add(w.startsWith(">") || w.startsWith("<") ? w.charAt(0) + "***" : w);
        }
        return String.join(" ", out);
    }

    /** The user named {@code name}, or null. */
    public AclUser get(String name) {
        return byName.get(name);
    }

    /** The default user, which a new connection starts as. */
    public AclUser defaultUser() {
        return byName.get(DEFAULT);
    }

    /** Whether a new connection is authenticated without AUTH: the default user is on and has nopass. */
    public boolean defaultAuthenticates() {
        UserRules d = defaultUser().rules();
        return d.enabled() && d.nopass();
    }

    /** Whether some user that can log in has a password (protected mode needs one). */
    public boolean anyPassword() {
        return byName.values().stream().anyMatch(u -> u.rules().enabled() && !u.rules().nopass());
    }

    /** Every user, by name. */
    public Collection<AclUser> all() {
        return byName.values();
    }
}
