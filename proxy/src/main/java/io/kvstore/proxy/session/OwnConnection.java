package io.kvstore.proxy.session;

import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.split.GroupSender;
import io.netty.buffer.ByteBuf;

/**
 * Sends a command to a group's master on a connection opened for that command alone and closed
 * once it is answered. For SCRIPT KILL and FUNCTION KILL: Redis stops reading the connection of a
 * running script, and the shared connections of this loop may be that very connection or wait
 * behind it, so a kill sent there would only be read once the script it should stop has ended.
 * Stateless; runs on the client's event loop, which owns the connections it opens.
 */
final class OwnConnection {

    private OwnConnection() {
    }

    /** Sends each fragment on a new connection to its group, in the client's protocol. */
    static GroupSender sender(ClientSession session, SlotMap map) {
        return (group, frame, sink) -> {
            if (map.isGroupDown(group)) {
                frame.release();
                sink.onFailure(Router.clusterDown(map, group));
                return;
            }
            BackendConnection own = session.worker().dedicated(map.groups().get(group), session.protocol());
            own.send(frame, new ReplySink() {
                @Override
                public void onReply(ByteBuf reply) {
                    own.close();
                    sink.onReply(reply);
                }

                @Override
                public void onFailure(String message) {
                    own.close();
                    sink.onFailure(message);
                }
            });
        };
    }
}
