package io.kvstore.proxy.acl;

import java.util.List;

/**
 * What one user may do, as Redis's ACL rules say it: the state {@link AclRules} builds from rule
 * words, and what {@code ACL LIST} describes. Immutable value; checks are made on the compiled
 * {@link AclUser}.
 *
 * @param passwords    SHA-256 hashes (lower-case hex) of the passwords; never a password itself
 * @param commandRules the command rules since the last {@code +@all}/{@code -@all}, in order
 *                     ({@code +get}, {@code -@dangerous}, {@code +config|get}); the last rule
 *                     naming a command decides for it
 * @param allCommands  whether the rules start from every command allowed ({@code +@all}) or none
 */
public record UserRules(String name, boolean enabled, boolean nopass, List<String> passwords,
                        boolean allCommands, List<String> commandRules, boolean allKeys, List<KeyPattern> keys,
                        boolean allChannels, List<String> channels) {

    /** A user as ACL SETUSER makes it before any rule: off, no password, no command, key or channel. */
    public static UserRules empty(String name) {
        return new UserRules(name, false, false, List.of(), false, List.of(), false, List.of(), false, List.of());
    }

    /** The rule line ACL LIST shows, e.g. {@code user alice on #... ~cached:* resetchannels &chan -@all +get}. */
    public String describe() {
        StringBuilder b = new StringBuilder("user ").append(name).append(enabled ? " on" : " off");
        if (nopass) {
            b.append(" nopass");
        }
        passwords.forEach(p -> b.append(" #").append(p));
        if (allKeys) {
            b.append(" ~*");
        } else {
            keys.forEach(k -> b.append(' ').append(k.rule()));
        }
        if (allChannels) {
            b.append(" &*");
        } else {
            b.append(" resetchannels");
            channels.forEach(c -> b.append(" &").append(c));
        }
        b.append(' ').append(commands());
        return b.toString();
    }

    /** The command rules as ACL GETUSER shows them: {@code +@all} or {@code -@all}, then the rules. */
    public String commands() {
        StringBuilder b = new StringBuilder(allCommands ? "+@all" : "-@all");
        commandRules.forEach(r -> b.append(' ').append(r));
        return b.toString();
    }

    /** The key patterns as ACL GETUSER shows them. */
    public String keyRules() {
        if (allKeys) {
            return "~*";
        }
        StringBuilder b = new StringBuilder();
        keys.forEach(k -> b.append(b.length() == 0 ? "" : " ").append(k.rule()));
        return b.toString();
    }

    /** The channel patterns as ACL GETUSER shows them. */
    public String channelRules() {
        if (allChannels) {
            return "&*";
        }
        StringBuilder b = new StringBuilder();
        channels.forEach(c -> b.append(b.length() == 0 ? "" : " ").append('&').append(c));
        return b.toString();
    }
}
