package io.kvstore.proxy.acl;

import io.kvstore.proxy.command.AclCategory;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Redis's ACL rule syntax ({@code on}, {@code >pass}, {@code ~pattern}, {@code +@read} ...) applied
 * to a {@link UserRules}, one word at a time, as ACL SETUSER applies them; a bad word is refused
 * with Redis's own words. Passwords are kept only as their SHA-256, as Redis keeps them.
 * Stateless apart from the immutable command table.
 */
public final class AclRules {

    /** A rule word that cannot be applied; the message is what Redis says after "modifier 'x': ". */
    public static final class RuleException extends IllegalArgumentException {
        public RuleException(String word, String why) {
            super("Error in ACL SETUSER modifier '" + word + "': " + why);
        }
    }

    private final CommandTable table;

    public AclRules(CommandTable table) {
        this.table = table;
    }

    /** A user from a rule line: {@code [user] NAME rule...}, as in an aclfile or ACL SETUSER's arguments. */
    public UserRules parseLine(String line) {
        List<String> words = new ArrayList<>(List.of(line.trim().split("\\s+")));
        if (!words.isEmpty() && words.get(0).equals("user")) {
            words.remove(0);
        }
        if (words.isEmpty() || words.get(0).isEmpty()) {
            throw new IllegalArgumentException("a user line needs a name: '" + line + "'");
        }
        return apply(UserRules.empty(words.get(0)), words.subList(1, words.size()));
    }

    /** {@code rules} with every word applied in order. */
    public UserRules apply(UserRules rules, List<String> words) {
        for (String w : words) {
            rules = apply(rules, w);
        }
        return rules;
    }

    /** {@code rules} with one word applied. */
    public UserRules apply(UserRules r, String word) {
        String lower = word.toLowerCase(Locale.ROOT);
        Edit e = new Edit(r);
        switch (lower) {
            case "on" -> e.enabled = true;
            case "off" -> e.enabled = false;
            case "nopass" -> {
                e.nopass = true;
                e.passwords.clear();
            }
            case "resetpass" -> {
                e.nopass = false;
                e.passwords.clear();
            }
            case "allkeys" -> e.allKeys();
            case "resetkeys" -> {
                e.allKeys = false;
                e.keys.clear();
            }
            case "allchannels" -> e.allChannels();
            case "resetchannels" -> {
                e.allChannels = false;
                e.channels.clear();
            }
            case "allcommands", "+@all" -> e.commands(true);
            case "nocommands", "-@all" -> e.commands(false);
            case "reset" -> {
                return UserRules.empty(r.name());
            }
            default -> e.word(word);
        }
        return e.done();
    }

    /** The SHA-256 of a password, in lower-case hex, as Redis stores it. */
    public static String hash(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** A rule being changed: the mutable copy of a {@link UserRules}. */
    private final class Edit {
        final String name;
        boolean enabled;
        boolean nopass;
        final List<String> passwords;
        boolean allCommands;
        final List<String> commandRules;
        boolean allKeys;
        final List<KeyPattern> keys;
        boolean allChannels;
        final List<String> channels;

        Edit(UserRules r) {
            name = r.name();
            enabled = r.enabled();
            nopass = r.nopass();
            passwords = new ArrayList<>(r.passwords());
            allCommands = r.allCommands();
            commandRules = new ArrayList<>(r.commandRules());
            allKeys = r.allKeys();
            keys = new ArrayList<>(r.keys());
            allChannels = r.allChannels();
            channels = new ArrayList<>(r.channels());
        }

        UserRules done() {
            return new UserRules(name, enabled, nopass, List.copyOf(passwords), allCommands, List.copyOf(commandRules),
                    allKeys, List.copyOf(keys), allChannels, List.copyOf(channels));
        }

        void word(String word) {
            char c = word.isEmpty() ? ' ' : word.charAt(0);
            switch (c) {
                case '>' -> addHash(hash(word.substring(1).getBytes(StandardCharsets.UTF_8)));
                case '#' -> addHash(checkedHash(word));
                case '<' -> removeHash(word, hash(word.substring(1).getBytes(StandardCharsets.UTF_8)));
                case '!' -> removeHash(word, checkedHash(word));
                case '~' -> keyPattern(word, word.substring(1), CommandSpec.READS | CommandSpec.WRITES);
                case '%' -> keyPattern(word);
                case '&' -> channel(word, word.substring(1));
                case '+', '-' -> command(word);
                default -> throw new RuleException(word, "Syntax error");
            }
        }

        private void addHash(String h) {
            nopass = false;
            if (!passwords.contains(h)) {
                passwords.add(h);
            }
        }

        private void removeHash(String word, String h) {
            if (!passwords.remove(h)) {
                throw new RuleException(word, "The password you are trying to remove from the user does not exist");
            }
            nopass = false;
        }

        private String checkedHash(String word) {
            String h = word.substring(1);
            if (!h.matches("[0-9a-f]{64}")) {
                throw new RuleException(word, "The password hash must be exactly 64 characters and contain only "
                        + "lowercase hexadecimal characters");
            }
            return h;
        }

        private void keyPattern(String word) {
            int tilde = word.indexOf('~');
            if (tilde < 2) {
                throw new RuleException(word, "Syntax error");
            }
            int access = 0;
            for (char f : word.substring(1, tilde).toUpperCase(Locale.ROOT).toCharArray()) {
                access |= switch (f) {
                    case 'R' -> CommandSpec.READS;
                    case 'W' -> CommandSpec.WRITES;
                    default -> throw new RuleException(word, "Syntax error");
                };
            }
            keyPattern(word, word.substring(tilde + 1), access);
        }

        private void keyPattern(String word, String pattern, int access) {
            if (allKeys) {
                throw new RuleException(word, "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                        + "valid and does not have any effect. Try 'resetkeys' to start with an empty list of patterns");
            }
            if (pattern.equals("*") && access == (CommandSpec.READS | CommandSpec.WRITES)) {
                allKeys();
                return;
            }
            keys.removeIf(k -> k.pattern().equals(pattern) && k.access() == access);
            keys.add(new KeyPattern(pattern, access));
        }

        void allKeys() {
            allKeys = true;
            keys.clear();
        }

        private void channel(String word, String pattern) {
            if (allChannels) {
                throw new RuleException(word, "Adding a pattern after the * pattern (or the 'allchannels' flag) is not "
                        + "valid and does not have any effect. Try 'resetchannels' to start with an empty list of channels");
            }
            if (pattern.equals("*")) {
                allChannels();
            } else if (!channels.contains(pattern)) {
                channels.add(pattern);
            }
        }

        void allChannels() {
            allChannels = true;
            channels.clear();
        }

        void commands(boolean all) {
            allCommands = all;
            commandRules.clear();
        }

        /** +cmd, -cmd, +cmd|sub, +cmd|firstarg, +@category, -@category. */
        private void command(String word) {
            String target = word.substring(1).toLowerCase(Locale.ROOT);
            boolean known;
            if (target.startsWith("@")) {
                known = AclCategory.byName(target.substring(1)) != null;
            } else {
                int bar = target.indexOf('|');
                CommandSpec spec = table.get(bar < 0 ? target : target.substring(0, bar));
                known = spec != null && (bar < 0 || spec.kind() != CommandKind.CONTAINER || table.get(target) != null);
                if (known && bar >= 0 && word.charAt(0) == '-' && spec.kind() != CommandKind.CONTAINER) {
                    throw new RuleException(word, "Allowing first-arg of a subcommand is not supported");
                }
            }
            if (!known) {
                throw new RuleException(word, "Unknown command or category name in ACL");
            }
            String rule = word.charAt(0) + target;
            commandRules.removeIf(x -> x.substring(1).equals(target));
            commandRules.add(rule);
        }
    }
}
