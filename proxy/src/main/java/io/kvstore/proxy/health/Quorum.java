package io.kvstore.proxy.health;

import io.kvstore.config.HostPort;
import io.kvstore.config.store.HealthReport;
import io.kvstore.config.store.HealthReport.NodeHealth;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the proxies' health views into verdicts: a server is <em>down</em> when at least
 * {@link #needed()} live proxies have each seen it down for {@code down-after} or longer, and
 * <em>up</em> when as many have each seen it up for {@code up-after}. Only proxies registered
 * under {@code proxies/} vote, each once; a proxy that does not check a server (another map)
 * votes neither way. So one proxy cut off from a server, or a few views left behind, never reach
 * a verdict on their own. Immutable; pure function of its inputs.
 */
public final class Quorum {

    private final int voters;
    private final int needed;
    private final Map<HostPort, Integer> downVotes;
    private final Map<HostPort, Integer> upVotes;

    private Quorum(int voters, int needed, Map<HostPort, Integer> downVotes, Map<HostPort, Integer> upVotes) {
        this.voters = voters;
        this.needed = needed;
        this.downVotes = downVotes;
        this.upVotes = upVotes;
    }

    /**
     * @param registered the ids of the live proxies
     * @param reports    the health views read (those of unregistered proxies are ignored)
     * @param quorum     votes needed; 0 = a majority of {@code registered}
     */
    public static Quorum judge(Collection<String> registered, List<HealthReport> reports, long now, long downAfterMs,
                        long upAfterMs, int quorum) {
        Set<String> live = Set.copyOf(registered);
        int needed = quorum > 0 ? quorum : live.size() / 2 + 1;
        Map<HostPort, Integer> down = new HashMap<>();
        Map<HostPort, Integer> up = new HashMap<>();
        int voters = 0;
        for (HealthReport r : reports) {
            if (!live.contains(r.proxyId())) {
                continue;
            }
            voters++;
            for (Map.Entry<HostPort, NodeHealth> e : r.nodes().entrySet()) {
                NodeHealth h = e.getValue();
                long age = now - h.sinceMillis();
                if (!h.up() && age >= downAfterMs) {
                    down.merge(e.getKey(), 1, Integer::sum);
                } else if (h.up() && age >= upAfterMs) {
                    up.merge(e.getKey(), 1, Integer::sum);
                }
            }
        }
        return new Quorum(voters, needed, down, up);
    }

    /** Whether enough proxies have seen {@code address} down for down-after. Never true without live proxies. */
    public boolean down(HostPort address) {
        return voters > 0 && downVotes.getOrDefault(address, 0) >= needed;
    }

    /** Whether enough proxies have seen {@code address} up for up-after. */
    public boolean up(HostPort address) {
        return voters > 0 && upVotes.getOrDefault(address, 0) >= needed;
    }

    public int downVotes(HostPort address) {
        return downVotes.getOrDefault(address, 0);
    }

    public int needed() {
        return needed;
    }

    public int voters() {
        return voters;
    }
}
