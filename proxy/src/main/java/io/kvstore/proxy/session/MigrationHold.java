package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.resp.Request;
import java.util.List;

/**
 * The gate for keys of migrating slots: a request on a frozen slot is held until the next map; a
 * request on a migrating slot has its keys moved first ({@link MigrationGate}) and is then routed
 * by the map as it will be once the migrations are done. Holds only shared immutable state; one
 * instance serves every event loop.
 */
final class MigrationHold implements Gate {

    private final ProxyContext proxy;
    private final Router router;

    MigrationHold(ProxyContext proxy, Router router) {
        this.proxy = proxy;
        this.router = router;
    }

    @Override
    public boolean takes(ClientSession session, Resolved call) {
        SlotMap map = call.map();
        if (!map.hasMigrations() || !touchesKeys(call.spec())) {
            return false;
        }
        Request request = call.request();
        PendingReply pending = call.pending();
        int frozen = MigrationGate.frozenSlot(map, request, call.keys());
        if (frozen >= 0) {
            session.holds().holdWhileFrozen(request, pending, frozen);
            return true;
        }
        if (!MigrationGate.touchesMigration(map, request, call.keys())) {
            return false;
        }
        session.holds().gated(pending);
        MigrationGate.moveThen(session, map, List.of(request), List.of(call.keys()), pending, () -> {
            String late = proxy.cluster().fence(); // went up while the key moved
            if (late != null) {
                pending.refuse(request, Fence.error(late));
            } else {
                router.route(session, call, map.afterMigrations());
            }
        }, request::release);
        return true;
    }

    /** Kinds whose keys are read or written on a backend, and so must be moved first while their slot migrates. */
    private static boolean touchesKeys(CommandSpec spec) {
        return switch (spec.kind()) {
            case SINGLE, SAME_GROUP, MOVABLE_KEYS, SPLIT_MGET, SPLIT_MSET, SPLIT_SUM, BLOCKING -> true;
            case TRANSACTION -> spec.name().equals("watch");
            default -> false;
        };
    }
}
