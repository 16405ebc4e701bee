package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.kvstore.proxy.stats.SlowLogReplies;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * Commands the proxy answers itself because they concern the client's connection to the proxy,
 * not the data: PING, ECHO, QUIT, SELECT, HELLO, AUTH, RESET, CLIENT, and the proxy's own SLOWLOG. COMMAND and its
 * subcommands are passed to one backend, which describes the command set best. Stateless;
 * called on the client's event loop.
 */
final class LocalCommands {

    /** Returned by a command that completes its pending reply later, on the client's loop. */
    private static final ByteBuf LATER = io.netty.buffer.Unpooled.EMPTY_BUFFER.asReadOnly();

    private final ProxyContext proxy;
    private final Router router;
    private final ConfigSetCommand configSet;
    private final AclCommands acl;

    LocalCommands(ProxyContext proxy, Router router) {
        this.proxy = proxy;
        this.router = router;
        this.configSet = new ConfigSetCommand(proxy);
        this.acl = new AclCommands(proxy);
    }

    static boolean allowedBeforeAuth(CommandSpec spec) {
        return switch (spec.name()) {
            case "auth", "hello", "quit", "reset" -> true;
            default -> false;
        };
    }

    void execute(ClientSession session, Request request, PendingReply pending, CommandSpec spec) {
        if (spec.name().equals("client|tracking")) {
            session.tracking().command(request, pending); // answers once the loop can track
            return;
        }
        ByteBufAllocator alloc = session.alloc();
        ByteBuf reply;
        try {
            reply = switch (spec.name()) {
                case "ping" -> request.argCount() > 2 ? Replies.error(alloc, "ERR wrong number of arguments for 'ping' command")
                        : session.subscribed() && session.protocol() == 2 ? PubSub.pong(alloc, request)
                        : request.argCount() == 1 ? Replies.pong() : Replies.bulk(alloc, request.argBytes(1));
                case "echo" -> Replies.bulk(alloc, request.argBytes(1));
                case "quit" -> {
                    session.quitAfter(pending);
                    yield Replies.ok();
                }
                case "select" -> select(alloc, request);
                case "auth" -> acl.auth(session, alloc, request, 1, request.argCount() - 1, pending);
                case "acl|whoami", "acl|users", "acl|list", "acl|getuser", "acl|cat", "acl|dryrun", "acl|help", "acl|log", "acl|genpass" ->
                        acl.execute(session, alloc, request, spec);
                case "hello" -> hello(session, alloc, request, pending);
                case "reset" -> {
                    session.reset();
                    if (session.login().reset(proxy.access().users())) {
                        yield Replies.status(alloc, "RESET");
                    }
                    session.quitAfter(pending); // the default user logs in again, and has no room
                    yield Replies.error(alloc, UserConnections.error(session.login().user().name()));
                }
                case "client|setname" -> setName(session, alloc, request.argString(2));
                case "client|getname" -> session.info().name() == null ? Replies.nullValue(session.protocol()) : Replies.bulk(alloc, session.info().name());
                case "client|id" -> Replies.integer(alloc, session.id());
                case "client|setinfo" -> Replies.ok();
                case "client|caching" -> session.tracking().caching(request, alloc);
                case "client|trackinginfo" -> session.tracking().info(alloc, session.protocol());
                case "client|getredir" -> Replies.integer(alloc, session.tracking().getRedir());
                case "client|no-evict", "client|no-touch" -> request.argIs(2, "ON") || request.argIs(2, "OFF")
                        ? Replies.ok() : Replies.error(alloc, "ERR syntax error");
                case "client|info" -> Replies.verbatim(alloc, session.protocol(), session.describe() + "\n");
                case "client|list" -> clientList(session, alloc, request, pending);
                case "client|kill" -> clientKill(session, alloc, request);
                case "client|reply" -> clientReply(session, alloc, request, pending);
                case "client|help", "config|help", "slowlog|help", "latency|help" -> help(alloc, spec);
                case "latency|latest", "latency|history", "latency|reset" ->
                        io.kvstore.proxy.stats.LatencyReplies.execute(alloc, proxy.stats().latencyMonitor(), spec.name(), request);
                case "slowlog|get" -> SlowLogReplies.get(alloc, proxy.stats().slowLog(), request);
                case "slowlog|len" -> Replies.integer(alloc, proxy.stats().slowLog().length());
                case "slowlog|reset" -> {
                    proxy.stats().slowLog().reset();
                    yield Replies.ok();
                }
                case "config|set", "config|resetstat" -> {
                    configSet.execute(session, request, pending, spec); // completes pending, maybe later
                    yield LATER;
                }
                case "command|count" -> Replies.integer(alloc, proxy.commands().topLevelCount());
                case "command|getkeys" -> getKeys(alloc, request);
                default -> null;
            };
        } catch (RuntimeException e) {
            request.release();
            throw e;
        }
        if (reply == LATER) {
            request.release();
        } else if (reply != null) {
            request.release();
            pending.onReply(reply);
        } else if (spec.name().equals("command") || spec.name().startsWith("command|")) {
            router.forward(session, request, pending, proxy.cluster().map(), 0);
        } else {
            pending.refuse(request, "ERR command '" + spec.displayName()
                    + "' is not supported by kvstore proxy yet");
        }
    }

    /**
     * CLIENT LIST [TYPE type] [ID id ...]: answered once every connection accepted so far is
     * registered (see {@link ClientRegistry#afterAccepts}), back on this client's loop.
     */
    private ByteBuf clientList(ClientSession session, ByteBufAllocator alloc, Request request, PendingReply pending) {
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 2; i < request.argCount(); i++) {
            if (request.argIs(i, "ID")) {
                for (int j = i + 1; j < request.argCount(); j++) {
                    ids.add(request.argString(j));
                }
                break;
            }
            if (request.argIs(i, "TYPE") && i + 1 < request.argCount()) {
                i++; // every client of the proxy is a normal client
                continue;
            }
            return Replies.error(alloc, "ERR syntax error");
        }
        io.netty.channel.EventLoop loop = session.worker().loop();
        proxy.clients().afterAccepts(() -> loop.execute(() -> {
            StringBuilder out = new StringBuilder();
            for (ClientSession s : proxy.clients().all()) {
                if (ids.isEmpty() || ids.contains(Long.toString(s.id()))) {
                    out.append(s.describe()).append('\n');
                }
            }
            pending.onReply(Replies.verbatim(alloc, session.protocol(), out.toString()));
        }));
        return LATER;
    }

    /** CLIENT KILL addr:port, or the filter form (ID, ADDR, LADDR, SKIPME). Only this proxy's clients. */
    private ByteBuf clientKill(ClientSession self, ByteBufAllocator alloc, Request request) {
        int argc = request.argCount();
        if (argc == 3) {
            String addr = request.argString(2);
            for (ClientSession s : proxy.clients().all()) {
                if (s.remoteAddress().equals(addr)) {
                    s.kill();
                    return Replies.ok();
                }
            }
            return Replies.error(alloc, "ERR No such client");
        }
        if ((argc - 2) % 2 != 0) {
            return Replies.error(alloc, "ERR syntax error");
        }
        String id = null;
        String addr = null;
        String laddr = null;
        boolean skipMe = true;
        for (int i = 2; i < argc; i += 2) {
            String value = request.argString(i + 1);
            if (request.argIs(i, "ID")) {
                id = value;
            } else if (request.argIs(i, "ADDR")) {
                addr = value;
            } else if (request.argIs(i, "LADDR")) {
                laddr = value;
            } else if (request.argIs(i, "SKIPME")) {
                skipMe = !value.equalsIgnoreCase("no");
            } else if (request.argIs(i, "TYPE") || request.argIs(i, "USER") || request.argIs(i, "MAXAGE")) {
                continue; // all clients are normal clients of the default user
            } else {
                return Replies.error(alloc, "ERR syntax error");
            }
        }
        int killed = 0;
        for (ClientSession s : proxy.clients().all()) {
            if ((id == null || id.equals(Long.toString(s.id()))) && (addr == null || addr.equals(s.remoteAddress()))
                    && (laddr == null || laddr.equals(s.localAddress())) && !(skipMe && s == self)) {
                s.kill();
                killed++;
            }
        }
        return Replies.integer(alloc, killed);
    }

    private static ByteBuf clientReply(ClientSession session, ByteBufAllocator alloc, Request request, PendingReply pending) {
        if (request.argIs(2, "ON")) {
            session.clientReply().mode(ClientReply.Mode.ON);
            pending.unsilence(); // read while replies were off, yet Redis answers it
            return Replies.ok();
        }
        if (request.argIs(2, "OFF") || request.argIs(2, "SKIP")) {
            session.clientReply().mode(request.argIs(2, "OFF") ? ClientReply.Mode.OFF : ClientReply.Mode.SKIP);
            pending.silence();
            return Replies.ok();
        }
        return Replies.error(alloc, "ERR syntax error");
    }

    private ByteBuf getKeys(ByteBufAllocator alloc, Request request) {
        io.kvstore.proxy.command.CommandTable table = proxy.commands();
        CommandSpec target = table.lookup(request.frame(), request.argOffset(2), request.argLength(2));
        if (target != null && target.kind() == io.kvstore.proxy.command.CommandKind.CONTAINER && request.argCount() > 3) {
            target = table.subcommand(target, request.frame(), request.argOffset(3), request.argLength(3));
        }
        if (target == null) {
            return Replies.error(alloc, "ERR Invalid command specified");
        }
        if (target.firstKey() <= 0 && !target.hasFlag("movablekeys")) {
            return Replies.error(alloc, "ERR The command has no key arguments");
        }
        if (!target.arityAccepts(request.argCount() - 2)) {
            return Replies.error(alloc, "ERR Invalid number of arguments specified for command");
        }
        int[] keys;
        try {
            keys = io.kvstore.proxy.command.KeyFinder.redisKeys(target, request, 2);
        } catch (io.kvstore.proxy.command.KeyFinder.BadKeysException e) {
            keys = new int[0]; // Redis 7.0 answers alike whatever is wrong with the arguments
        }
        if (keys.length == 0 && !target.hasFlag("no_mandatory_keys")) {
            // Redis 7.0 answers an empty array where keys are optional (scripts, functions)
            return Replies.error(alloc, "ERR Invalid arguments specified for command");
        }
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, keys.length);
        for (int k : keys) {
            RespWriter.writeBulk(buf, request.argBytes(k));
        }
        return buf;
    }

    private static ByteBuf help(ByteBufAllocator alloc, CommandSpec spec) {
        String container = spec.name().substring(0, spec.name().indexOf('|')).toUpperCase(java.util.Locale.ROOT);
        String[] lines = switch (container) {
            case "CLIENT" -> new String[] {"CLIENT <subcommand> [<arg> ...]. Subcommands served by kvstore proxy:",
                "ID", "INFO", "LIST [ID id ...]", "KILL <ip:port> | KILL [ID id] [ADDR ip:port] [LADDR ip:port] [SKIPME yes|no]",
                "GETNAME", "SETNAME <name>", "SETINFO <attr> <value>", "REPLY ON|OFF|SKIP", "NO-EVICT ON|OFF"};
            case "SLOWLOG" -> new String[] {"SLOWLOG <subcommand> [<arg> ...]. Subcommands served by kvstore proxy:",
                "GET [<count>]: the newest entries (default 10, -1 for all) of commands slower in the proxy than "
                        + "--slowlog-slower-than-us", "LEN", "RESET"};
            case "LATENCY" -> new String[] {"LATENCY <subcommand> [<arg> ...]. Subcommands served by kvstore proxy, for its own "
                    + "events (migration-hold, backend-stall, backend-reconnect, fence) that lasted --latency-monitor-threshold-ms:",
                "LATEST", "HISTORY <event>", "RESET [<event> ...]"};
            default -> new String[] {"CONFIG <subcommand> [<arg> ...]. Subcommands served by kvstore proxy:",
                "GET <pattern> [<pattern> ...]: the groups' parameters and the proxy's own settings",
                "SET <parameter> <value> [...]: on every redis-server of the cluster (--allow-config-set)",
                "RESETSTAT: the stats of every redis-server and of the proxy"};
        };
        ByteBuf buf = alloc.buffer();
        RespWriter.writeArrayHeader(buf, lines.length);
        for (String l : lines) {
            RespWriter.writeStatus(buf, l);
        }
        return buf;
    }

    private static ByteBuf select(ByteBufAllocator alloc, Request request) {
        long db = request.argLong(1);
        if (db == 0) {
            return Replies.ok();
        }
        return Replies.error(alloc, db < 0 && db != Long.MIN_VALUE ? "ERR DB index is out of range"
                : db == Long.MIN_VALUE ? "ERR value is not an integer or out of range"
                : "ERR kvstore proxy serves database 0 only");
    }

    /**
     * HELLO [protover [AUTH user pass] [SETNAME name]]: switches the client to RESP2 or RESP3 and
     * describes the server, in the protocol now in force, as Redis does; without arguments it
     * only describes. The version is the groups' lowest ({@link ServerVersions}), so the answer
     * may come once a new master has told its version; the switch of protocol is made at once,
     * for the commands behind it.
     */
    private ByteBuf hello(ClientSession session, ByteBufAllocator alloc, Request request, PendingReply pending) {
        int argc = request.argCount();
        int version = session.protocol();
        if (argc > 1) {
            long asked = request.argLong(1);
            if (asked == Long.MIN_VALUE) {
                return Replies.error(alloc, "ERR Protocol version is not an integer or out of range");
            }
            if (asked != 2 && asked != 3) {
                return Replies.error(alloc, "NOPROTO unsupported protocol version");
            }
            version = (int) asked;
        }
        String name = null;
        for (int i = 2; i < argc; i++) {
            if (request.argIs(i, "AUTH") && i + 2 < argc) {
                ByteBuf authReply = authPair(session, alloc, request, i + 1, pending);
                if (authReply != null) {
                    return authReply;
                }
                i += 2;
            } else if (request.argIs(i, "SETNAME") && i + 1 < argc) {
                name = request.argString(++i);
            } else {
                return Replies.error(alloc, "ERR Syntax error in HELLO option '" + request.argString(i) + "'");
            }
        }
        if (!session.login().authenticated()) {
            return Replies.error(alloc, "NOAUTH HELLO must be called with the client already authenticated, "
                    + "otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and "
                    + "select the RESP protocol version at the same time");
        }
        if (name != null) {
            ByteBuf bad = setName(session, alloc, name);
            if (bad.getByte(bad.readerIndex()) == '-') {
                return bad;
            }
            bad.release();
        }
        session.protocol(version);
        int protocol = version;
        proxy.versions().lowest(session, proxy.cluster().map(), redisVersion ->
                pending.onReply(helloReply(alloc, protocol, session.id(), redisVersion)));
        return LATER;
    }

    private static ByteBuf helloReply(ByteBufAllocator alloc, int version, long id, String redisVersion) {
        ByteBuf buf = alloc.buffer(160);
        RespWriter.writeMapHeader(buf, version, 7);
        bulk(buf, "server");
        bulk(buf, "redis");
        bulk(buf, "version");
        bulk(buf, redisVersion);
        bulk(buf, "proto");
        RespWriter.writeInteger(buf, version);
        bulk(buf, "id");
        RespWriter.writeInteger(buf, id);
        bulk(buf, "mode");
        bulk(buf, "standalone");
        bulk(buf, "role");
        bulk(buf, "master");
        bulk(buf, "modules");
        RespWriter.writeArrayHeader(buf, 0);
        return buf;
    }

    /** Checks the user/password pair at {@code at}; null when accepted, else the error reply. */
    private ByteBuf authPair(ClientSession session, ByteBufAllocator alloc, Request request, int at, PendingReply pending) {
        ByteBuf r = acl.auth(session, alloc, request, at, 2, pending);
        if (r.getByte(r.readerIndex()) == '+') {
            r.release();
            return null;
        }
        return r;
    }

    private static void bulk(ByteBuf buf, String s) {
        RespWriter.writeBulk(buf, s);
    }

    private static ByteBuf setName(ClientSession session, ByteBufAllocator alloc, String name) {
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '!' || c > '~') {
                return Replies.error(alloc, "ERR Client names cannot contain spaces, newlines or special characters.");
            }
        }
        session.info().name(name.isEmpty() ? null : name);
        return Replies.ok();
    }
}
