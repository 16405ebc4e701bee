package io.kvstore.proxy.backend;

import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.loop.FlushBatch;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The backend connections of one event loop: {@code connectionsPerLoop} to each redis-server,
 * made on first use. Confined to its loop.
 *
 * <p>For the hot path the connections of the groups of the slot map last used are kept in an
 * array by group index, rebuilt only when a different map instance shows up, so routing a
 * request costs an array load, not a hash lookup. A client always uses the same connection to a
 * given backend ({@code clientSeq} picks it), so its own commands reach that backend in order.
 */
public final class BackendPool {

    private final EventLoop loop;
    private final FlushBatch flushBatch;
    private final BackendOptions options;
    private final Class<? extends Channel> channelClass;
    private final Map<HostPort, BackendConnection[]> byAddress = new HashMap<>();

    private SlotMap cachedMap;
    private BackendConnection[][] cachedGroups;

    public BackendPool(EventLoop loop, FlushBatch flushBatch, BackendOptions options, Class<? extends Channel> channelClass) {
        this.loop = loop;
        this.flushBatch = flushBatch;
        this.options = options;
        this.channelClass = channelClass;
    }

    /** The master connection of group {@code groupIndex} of {@code map} for the client numbered {@code clientSeq}. */
    public BackendConnection master(SlotMap map, int groupIndex, int clientSeq) {
        if (map != cachedMap) {
            rebuild(map);
        }
        BackendConnection[] conns = cachedGroups[groupIndex];
        return conns[(clientSeq & Integer.MAX_VALUE) % conns.length];
    }

    private void rebuild(SlotMap map) {
        List<Group> groups = map.groups();
        BackendConnection[][] next = new BackendConnection[groups.size()][];
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            next[i] = byAddress.computeIfAbsent(g.master(), a -> open(a, g));
        }
        cachedGroups = next;
        cachedMap = map;
    }

    private BackendConnection[] open(HostPort address, Group group) {
        BackendConnection[] conns = new BackendConnection[options.connectionsPerLoop()];
        for (int i = 0; i < conns.length; i++) {
            conns[i] = new BackendConnection(address, group.auth(), loop, flushBatch, options, channelClass);
        }
        return conns;
    }

    /** Every connection, for shutdown and stats. */
    public List<BackendConnection> all() {
        List<BackendConnection> out = new ArrayList<>();
        byAddress.values().forEach(a -> out.addAll(List.of(a)));
        return out;
    }

    public void closeAll() {
        all().forEach(BackendConnection::close);
    }
}
