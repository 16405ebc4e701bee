package io.kvstore.proxy.acl;

import io.kvstore.proxy.command.CommandSpec;

/**
 * One key pattern of a user: {@code ~pattern} (read and write), {@code %R~pattern} (read only)
 * or {@code %W~pattern} (write only). Immutable value.
 *
 * @param access {@link CommandSpec#READS} | {@link CommandSpec#WRITES}: what a command may do to a key it matches
 */
public record KeyPattern(String pattern, int access) {

    /** The pattern as a rule word, as ACL LIST shows it. */
    public String rule() {
        return switch (access) {
            case CommandSpec.READS -> "%R~" + pattern;
            case CommandSpec.WRITES -> "%W~" + pattern;
            default -> "~" + pattern;
        };
    }
}
