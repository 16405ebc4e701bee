package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Decides, per request, where it runs: on one backend group, locally, or nowhere (an error). The
 * command table says how each command runs; this class carries that out. Stateless apart from
 * shared immutable state, so one instance serves every event loop.
 *
 * <p>Every path ends in exactly one of: the request frame handed to a backend connection with
 * the pending reply as its sink, or the frame released and the pending reply completed here.
 */
public final class CommandDispatcher {

    static final String CROSSSLOT = "CROSSSLOT Keys in request don't hash to the same slot";

    private final ProxyContext proxy;
    private final LocalCommands local;

    public CommandDispatcher(ProxyContext proxy) {
        this.proxy = proxy;
        this.local = new LocalCommands(proxy, this);
    }

    void dispatch(ClientSession session, Request request, PendingReply pending) {
        CommandTable table = proxy.commands();
        ByteBuf frame = request.frame();
        CommandSpec spec = table.lookup(frame, request.argOffset(0), request.argLength(0));
        if (spec == null) {
            reject(request, pending, unknownCommand(request));
            return;
        }
        if (spec.kind() == CommandKind.CONTAINER && request.argCount() > 1) {
            CommandSpec sub = table.subcommand(spec, frame, request.argOffset(1), request.argLength(1));
            if (sub == null) {
                reject(request, pending, "ERR unknown subcommand '" + clip(request.argString(1))
                        + "'. Try " + spec.name().toUpperCase(Locale.ROOT) + " HELP.");
                return;
            }
            spec = sub;
        }
        if (!spec.arityAccepts(request.argCount())) {
            reject(request, pending, "ERR wrong number of arguments for '" + spec.name() + "' command");
            return;
        }
        if (!session.authenticated() && !LocalCommands.allowedBeforeAuth(spec)) {
            reject(request, pending, "NOAUTH Authentication required.");
            return;
        }
        switch (spec.kind()) {
            case SINGLE -> forwardToSlot(session, request, pending, spec.firstKey());
            case SAME_GROUP, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM -> forwardSameGroup(session, request, pending, spec);
            case ANY_SHARD -> forward(session, request, pending, proxy.cluster().map(), 0);
            case LOCAL, CONTAINER -> local.execute(session, request, pending, spec);
            case REFUSED -> reject(request, pending, "ERR command '" + spec.displayName()
                    + "' is not supported by kvstore proxy: " + spec.reason());
            default -> reject(request, pending, "ERR command '" + spec.displayName()
                    + "' is not supported by kvstore proxy yet");
        }
    }

    private void forwardToSlot(ClientSession session, Request request, PendingReply pending, int keyIndex) {
        SlotMap map = proxy.cluster().map();
        int slot = KeySlot.of(request.frame(), request.argOffset(keyIndex), request.argLength(keyIndex));
        forward(session, request, pending, map, map.groupIndex(slot));
    }

    /** Keys at fixed positions: all must be owned by one group, which then runs the command as is. */
    private void forwardSameGroup(ClientSession session, Request request, PendingReply pending, CommandSpec spec) {
        SlotMap map = proxy.cluster().map();
        int last = spec.lastKeyIndex(request.argCount());
        int group = -1;
        for (int i = spec.firstKey(); i <= last; i += spec.keyStep()) {
            int g = map.groupIndex(KeySlot.of(request.frame(), request.argOffset(i), request.argLength(i)));
            if (group >= 0 && g != group) {
                reject(request, pending, CROSSSLOT);
                return;
            }
            group = g;
        }
        forward(session, request, pending, map, group);
    }

    /** Hands the request to the master of {@code group}, on this event loop's connection for this client. */
    void forward(ClientSession session, Request request, PendingReply pending, SlotMap map, int group) {
        session.worker().backends().master(map, group, (int) session.id()).send(request.frame(), pending);
    }

    static void reject(Request request, PendingReply pending, String error) {
        request.release();
        pending.onFailure(error);
    }

    /** Redis's own text for an unknown command, so clients and people recognise it. */
    static String unknownCommand(Request request) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < request.argCount() && args.length() < 128; i++) {
            String a = request.argString(i);
            args.append('\'').append(a, 0, Math.min(a.length(), 128 - args.length())).append("' ");
        }
        return "ERR unknown command '" + clip(request.argString(0)) + "', with args beginning with: " + args;
    }

    private static String clip(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
