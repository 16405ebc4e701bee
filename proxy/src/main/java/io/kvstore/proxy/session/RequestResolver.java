package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandKind;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.CommandTable;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.route.KeySlot;
import io.netty.buffer.ByteBuf;
import java.util.Locale;

/**
 * Turns a framed request into a {@link Resolved}: the command (or subcommand) it names, checked
 * for arity, with its key positions found once. A request naming no command, an unknown
 * subcommand or the wrong number of arguments is answered here with Redis's own text, as Redis
 * answers these before anything else. Holds only the immutable command table; shared by every
 * event loop.
 */
final class RequestResolver {

    private static final int[] NO_KEYS = new int[0];

    private final CommandTable table;

    RequestResolver(CommandTable table) {
        this.table = table;
    }

    /** The resolved request; null when it was answered with an error (its frame released). */
    Resolved resolve(ClientSession session, Request request, PendingReply pending, SlotMap map) {
        ByteBuf frame = request.frame();
        CommandSpec spec = table.lookup(frame, request.argOffset(0), request.argLength(0));
        String error = null;
        if (spec == null) {
            error = unknownCommand(request);
        } else if (spec.kind() == CommandKind.CONTAINER && request.argCount() > 1) {
            CommandSpec sub = table.subcommand(spec, frame, request.argOffset(1), request.argLength(1));
            if (sub == null) {
                error = "ERR unknown subcommand '" + clip(request.argString(1)) + "'. Try "
                        + spec.name().toUpperCase(Locale.ROOT) + " HELP.";
            }
            spec = sub;
        }
        if (spec != null) {
            pending.timed(session.worker().stats(), spec, request);
        }
        if (error == null && !spec.arityAccepts(request.argCount())
                || error == null && spec.keyStep() > 1 && spec.lastKey() < 0 && (request.argCount() - spec.firstKey()) % spec.keyStep() != 0) {
            error = "ERR wrong number of arguments for '" + spec.name() + "' command";
        }
        if (error != null) {
            if (session.transaction().inMulti()) {
                session.transaction().abort();
            }
            pending.refuse(request, error);
            return null;
        }
        int[] keys = NO_KEYS;
        KeyFinder.BadKeysException badKeys = null;
        try {
            keys = KeyFinder.keys(spec, request);
        } catch (KeyFinder.BadKeysException e) {
            badKeys = e;
        }
        int slot = keys.length == 0 ? -1 : KeySlot.of(frame, request.argOffset(keys[0]), request.argLength(keys[0]));
        return new Resolved(request, pending, spec, keys, badKeys, slot, map);
    }

    /** Redis's own text for an unknown command, so clients and people recognise it. */
    private static String unknownCommand(Request request) {
        StringBuilder args = new StringBuilder();
        for (int i = 1; i < request.argCount() && args.length() < 128; i++) {
            String a = request.argString(i);
            int room = 128 - args.length(); // measured before the quote, as Redis's "'%.*s' " does
            args.append('\'').append(a, 0, Math.min(a.length(), room)).append("' ");
        }
        return "ERR unknown command '" + clip(request.argString(0)) + "', with args beginning with: " + args;
    }

    private static String clip(String s) {
        return s.length() > 128 ? s.substring(0, 128) : s;
    }
}
