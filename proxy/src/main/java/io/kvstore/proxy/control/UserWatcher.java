package io.kvstore.proxy.control;

import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.UserStore;
import io.kvstore.proxy.acl.Users;
import io.kvstore.proxy.command.CommandTable;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the cluster's {@code users} node and puts each new version in force on this proxy. A
 * {@link CuratorCache} event is only a hint: the node is read again on the watcher's own thread
 * ({@code kvstore-users}), never on Curator's or an event loop, and applied when its lines changed.
 * A bad line disables its user ({@link Users#failClosed}). Owns its thread and cache.
 */
public final class UserWatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(UserWatcher.class);

    private final UserStore store;
    private final String password;
    private final CommandTable table;
    private final Consumer<Users> apply;
    private final CuratorCache cache;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kvstore-users");
        t.setDaemon(true);
        return t;
    });
    /** The lines in force; touched on {@code thread} only. */
    private List<String> applied;

    /** {@code applied} are the lines the proxy started with; {@code apply} puts a new snapshot in force. */
    public UserWatcher(CuratorFramework client, String cluster, List<String> applied, String password, CommandTable table,
                       Consumer<Users> apply) {
        this.store = new UserStore(client, cluster);
        this.applied = List.copyOf(applied);
        this.password = password;
        this.table = table;
        this.apply = apply;
        this.cache = CuratorCache.build(client, store.path(), CuratorCache.Options.SINGLE_NODE_CACHE);
    }

    /** The users' rule lines as ZooKeeper has them now (blocking), to start with. */
    public static List<String> read(CuratorFramework client, String cluster) {
        return List.copyOf(new UserStore(client, cluster).read().values());
    }

    public void start() {
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forAll((type, before, after) -> hint())
                .forInitialized(this::hint)
                .build());
        cache.start();
    }

    private void hint() {
        try {
            thread.execute(this::sync);
        } catch (RejectedExecutionException closing) {
            // closed: nothing more to apply
        }
    }

    private void sync() {
        List<String> lines;
        try {
            lines = List.copyOf(store.read().values());
        } catch (StoreException e) {
            LOG.warn("cannot read the users: {}; keeping the users in force", e.getMessage());
            return;
        }
        if (lines.equals(applied)) {
            return;
        }
        applied = lines;
        apply.accept(Users.failClosed(lines, password, table, LOG::error));
        LOG.info("users changed: {} user(s) in force", lines.size());
    }

    @Override
    public void close() {
        cache.close();
        thread.shutdownNow();
    }
}
