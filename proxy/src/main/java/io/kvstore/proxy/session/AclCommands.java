package io.kvstore.proxy.session;

import io.kvstore.proxy.acl.AclUser;
import io.kvstore.proxy.acl.UserRules;
import io.kvstore.proxy.acl.Users;
import io.kvstore.proxy.command.AclCategory;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * AUTH (and HELLO's AUTH clause) against the proxy's users, and the ACL subcommands the proxy
 * answers from them: WHOAMI, LIST, USERS, GETUSER, CAT, DRYRUN, HELP; LOG (this proxy's denials)
 * and GENPASS. Users are changed with
 * {@code kvstore-admin user} or the static users list, never by a client. Stateless; called on
 * the client's event loop.
 */
final class AclCommands {

    private static final String WRONGPASS = "WRONGPASS invalid username-password pair or user is disabled.";

    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final ProxyContext proxy;

    AclCommands(ProxyContext proxy) {
        this.proxy = proxy;
    }

    /**
     * AUTH [user] password in the {@code words} arguments from {@code at}; also the AUTH clause of
     * HELLO. A user at its connection limit is refused and the connection closed after {@code pending}.
     */
    ByteBuf auth(ClientSession session, ByteBufAllocator alloc, Request request, int at, int words, PendingReply pending) {
        if (words > 2) {
            return Replies.error(alloc, "ERR syntax error");
        }
        Users users = proxy.access().users();
        String name = words == 1 ? Users.DEFAULT : request.argString(at);
        AclUser user = users.get(name);
        if (words == 1 && users.defaultAuthenticates()) {
            return Replies.error(alloc, "ERR AUTH <password> called without any password configured for the default user. "
                    + "Are you sure your configuration is correct?");
        }
        if (user == null || !user.accepts(request.argBytes(at + words - 1))) {
            proxy.access().authFailed(session, request.argString(0), name);
            return Replies.error(alloc, WRONGPASS);
        }
        if (!session.login().authenticate(user)) {
            session.quitAfter(pending); // refused and closed, so a client at the limit cannot retry on this connection
            return Replies.error(alloc, UserConnections.error(name));
        }
        return Replies.ok();
    }

    /** An ACL subcommand named by {@code spec}. */
    ByteBuf execute(ClientSession session, ByteBufAllocator alloc, Request request, CommandSpec spec) {
        Users users = proxy.access().users();
        int protocol = session.protocol();
        return switch (spec.name()) {
            case "acl|whoami" -> Replies.bulk(alloc, session.login().user().name());
            case "acl|users" -> strings(alloc, users.all().stream().map(AclUser::name).toList());
            case "acl|list" -> strings(alloc, users.all().stream().map(u -> u.rules().describe()).toList());
            case "acl|getuser" -> getUser(alloc, protocol, users.get(request.argString(2)));
            case "acl|cat" -> cat(alloc, request);
            case "acl|dryrun" -> dryRun(alloc, request, users);
            case "acl|log" -> log(alloc, protocol, request);
            case "acl|genpass" -> genPass(alloc, request);
            case "acl|help" -> strings(alloc, List.of("ACL <subcommand> [<arg> ...]. Answered by kvstore proxy:",
                    "CAT [<category>]", "DRYRUN <username> <command> [<arg> ...]", "GENPASS [<bits>]", "GETUSER <username>", "LIST",
                    "LOG [<count> | RESET] (this proxy's denials only)", "USERS",
                    "WHOAMI", "Users are changed with kvstore-admin user set|del|list, or the proxy's users list."));
            default -> Replies.error(alloc, "ERR unexpected ACL subcommand " + spec.name());
        };
    }

    private static ByteBuf getUser(ByteBufAllocator alloc, int protocol, AclUser user) {
        if (user == null) {
            return Replies.nullValue(protocol);
        }
        UserRules r = user.rules();
        ByteBuf buf = alloc.buffer(256);
        RespWriter.writeMapHeader(buf, protocol, 6);
        bulk(buf, "flags");
        List<String> flags = new ArrayList<>(List.of(r.enabled() ? "on" : "off"));
        if (r.nopass()) {
            flags.add("nopass");
        }
        writeStrings(buf, flags);
        bulk(buf, "passwords");
        writeStrings(buf, r.passwords());
        bulk(buf, "commands");
        bulk(buf, r.commands());
        bulk(buf, "keys");
        bulk(buf, r.keyRules());
        bulk(buf, "channels");
        bulk(buf, r.channelRules());
        bulk(buf, "selectors");
        writeStrings(buf, List.of());
        return buf;
    }

    /** ACL CAT: the categories, or the commands of one. */
    private ByteBuf cat(ByteBufAllocator alloc, Request request) {
        if (request.argCount() == 2) {
            List<String> names = new ArrayList<>();
            for (AclCategory c : AclCategory.values()) {
                names.add(c.label());
            }
            return strings(alloc, names);
        }
        if (request.argCount() > 3) {
            return Replies.error(alloc, "ERR wrong number of arguments for 'acl|cat' command");
        }
        AclCategory category = AclCategory.byName(request.argString(2));
        if (category == null) {
            return Replies.error(alloc, "ERR Unknown category '" + request.argString(2) + "'");
        }
        List<String> names = new ArrayList<>();
        for (CommandSpec s : proxy.commands().all()) {
            if (s.inCategory(category) && !s.kvstoreOnly()) {
                names.add(s.name());
            }
        }
        return strings(alloc, names);
    }

    /** ACL DRYRUN user command [arg ...]: whether the user could run it, in Redis's words. */
    private ByteBuf dryRun(ByteBufAllocator alloc, Request request, Users users) {
        String name = request.argString(2);
        AclUser user = users.get(name);
        if (user == null) {
            return Replies.error(alloc, "ERR User '" + name + "' not found");
        }
        CommandTable table = proxy.commands();
        CommandSpec spec = table.lookup(request.frame(), request.argOffset(3), request.argLength(3));
        if (spec != null && spec.kind() == CommandKind.CONTAINER && request.argCount() > 4) {
            spec = table.subcommand(spec, request.frame(), request.argOffset(4), request.argLength(4));
        }
        if (spec == null) {
            return Replies.error(alloc, "ERR Command '" + request.argString(3) + "' not found");
        }
        if (!spec.arityAccepts(request.argCount() - 3)) {
            return Replies.error(alloc, "ERR wrong number of arguments for '" + spec.name() + "' command");
        }
        int[] keys;
        try {
            keys = KeyFinder.keys(spec, request, 3);
        } catch (KeyFinder.BadKeysException e) {
            keys = new int[0];
        }
        int[] denied = new int[1];
        return switch (user.check(spec, request, 3, keys, denied)) {
            case NONE -> Replies.ok();
            case COMMAND -> Replies.bulk(alloc, "This user has no permissions to run the '" + spec.name() + "' command");
            case KEY -> Replies.bulk(alloc, "This user has no permissions to access the '"
                    + (denied[0] < 0 ? "*" : request.argString(denied[0])) + "' key");
            case CHANNEL -> Replies.bulk(alloc, "This user has no permissions to access the '"
                    + request.argString(denied[0]) + "' channel");
        };
    }

    /** ACL LOG [count | RESET]: this proxy's denials ({@link AclLog}), 10 unless told. */
    private ByteBuf log(ByteBufAllocator alloc, int protocol, Request request) {
        if (request.argCount() > 3) {
            return Replies.error(alloc, "ERR unknown subcommand or wrong number of arguments for '" + request.argString(1)
                    + "'. Try ACL HELP."); // the subcommand as sent, as Redis words it
        }
        long count = 10;
        if (request.argCount() == 3) {
            if (request.argIs(2, "RESET")) {
                proxy.access().log().reset();
                return Replies.ok();
            }
            try {
                count = Long.parseLong(request.argString(2));
            } catch (NumberFormatException e) {
                return Replies.error(alloc, "ERR value is not an integer or out of range");
            }
        }
        return proxy.access().log().reply(alloc, protocol, count);
    }

    /** ACL GENPASS [bits]: a random password of {@code bits} (256 unless told) as hex digits, as Redis makes it. */
    private static ByteBuf genPass(ByteBufAllocator alloc, Request request) {
        long bits = 256;
        if (request.argCount() == 3) {
            try {
                bits = Long.parseLong(request.argString(2));
            } catch (NumberFormatException e) {
                return Replies.error(alloc, "ERR value is not an integer or out of range");
            }
        }
        if (bits <= 0 || bits > 4096) {
            return Replies.error(alloc, "ERR ACL GENPASS argument must be the number of bits for the output password, "
                    + "a positive number up to 4096");
        }
        byte[] random = new byte[(int) (bits + 7) / 8];
        RANDOM.nextBytes(random);
        String hex = java.util.HexFormat.of().formatHex(random);
        return Replies.bulk(alloc, hex.substring(0, (int) (bits + 3) / 4));
    }

    private static ByteBuf strings(ByteBufAllocator alloc, List<String> items) {
        ByteBuf buf = alloc.buffer(64 + items.size() * 32);
        writeStrings(buf, items);
        return buf;
    }

    private static void writeStrings(ByteBuf buf, List<String> items) {
        RespWriter.writeArrayHeader(buf, items.size());
        items.forEach(s -> bulk(buf, s));
    }

    private static void bulk(ByteBuf buf, String s) {
        RespWriter.writeBulk(buf, s.getBytes(StandardCharsets.UTF_8));
    }
}
