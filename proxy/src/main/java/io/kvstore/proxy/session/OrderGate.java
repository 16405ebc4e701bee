package io.kvstore.proxy.session;

import io.kvstore.proxy.command.CommandSpec;

/**
 * The gate that keeps a client's commands in the order sent when they go to backends: it holds a
 * request behind an earlier one whose keys are being moved, or one that must go on another kind
 * of backend connection (shared, dedicated) while the previous one still owes replies (see
 * {@link HeldRequests}). Stateless.
 */
final class OrderGate {

    private OrderGate() {
    }

    /** The gate: whether the request was held, to be dispatched again once the earlier requests are answered. */
    static boolean holds(ClientSession session, Resolved call) {
        CommandSpec spec = call.spec();
        HeldRequests holds = session.holds();
        return usesBackend(session, spec) && (holds.holdBehindGate(call.request(), call.pending())
                || holds.holdForSwitch(session.lane(onDedicated(session, spec)), call.request(), call.pending()));
    }

    /** Whether the request goes to a backend connection (rather than being answered or queued here). */
    private static boolean usesBackend(ClientSession session, CommandSpec spec) {
        return switch (spec.kind()) {
            case LOCAL, CONTAINER, REFUSED -> spec.name().startsWith("command");
            case PUBSUB -> spec.name().equals("publish") || spec.name().equals("spublish");
            case TRANSACTION -> onDedicated(session, spec);
            default -> true;
        };
    }

    /** Whether the request goes on the client's dedicated connection rather than a shared one. */
    private static boolean onDedicated(ClientSession session, CommandSpec spec) {
        return switch (spec.kind()) {
            case BLOCKING -> true;
            case TRANSACTION -> switch (spec.name()) {
                case "watch", "exec" -> true;
                case "unwatch", "discard" -> session.transaction().watching();
                default -> false;
            };
            default -> false;
        };
    }
}
