package io.kvstore.admin.command;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.kvstore.admin.redis.RedisProbe;
import io.kvstore.config.Group;
import io.kvstore.config.HostPort;
import io.kvstore.config.store.ClusterStore;
import io.kvstore.config.store.StoreException;
import io.kvstore.config.store.ZkSettings;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * What every subcommand shares: reaching ZooKeeper, printing, and turning failures into
 * messages and {@link Exit} codes. A subcommand implements {@link #run()} and lets
 * {@link StoreException} or {@link IllegalArgumentException} escape. Main thread only.
 */
public abstract class AdminCommand implements Callable<Integer> {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    static {
        // The ZooKeeper client logs every connection step at INFO: noise on an operator's terminal.
        // Set before the first logger exists; -Dorg.slf4j.simpleLogger.defaultLogLevel=info brings it back.
        if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        }
    }

    @Spec
    CommandSpec spec;

    /** Does the work; returns an {@link Exit} code. */
    protected abstract int run();

    @Override
    public final Integer call() {
        try {
            return run();
        } catch (StoreException e) {
            err(e.getMessage());
            return exitCode(e);
        } catch (IllegalArgumentException e) {
            err(e.getMessage() + " (see kvstore-admin " + spec.qualifiedName(" ").replaceFirst("^\\S+ ", "") + " --help)");
            return Exit.USAGE;
        }
    }

    /** The exit code of each kind of store failure; a malformed node counts as a failure to read ZooKeeper. */
    static int exitCode(StoreException e) {
        if (e instanceof StoreException.NotFound) {
            return Exit.NOT_FOUND;
        }
        if (e instanceof StoreException.Conflict) {
            return Exit.CONFLICT;
        }
        return Exit.UNREACHABLE; // Unavailable, Malformed
    }

    /** Connects to ZooKeeper, or throws {@link StoreException.Unavailable} saying where it looked. */
    ClusterStore openStore() {
        Object root = spec.root().userObject();
        if (!(root instanceof ZkAccess access)) {
            throw new IllegalStateException("the top-level command must implement ZkAccess");
        }
        ZkSettings settings = access.zkSettings();
        return ClusterStore.connect(settings);
    }

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    void err(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("kvstore-admin: " + message);
        err.flush();
    }

    void printJson(JsonNode node) {
        try {
            out().println(JSON.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code MASTER[,REPLICA...]} as typed on the command line, as a group with the given id. */
    static Group parseGroup(String id, String spec) {
        List<HostPort> addresses = HostPort.parseList(spec);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("empty group: expected MASTER_HOST:PORT[,REPLICA_HOST:PORT...]");
        }
        return new Group(id, addresses.get(0), addresses.subList(1, addresses.size()), null);
    }

    /**
     * Checks that every master answers and is a master, and every replica answers. Prints what is
     * wrong and returns the exit code to stop with, or {@link Exit#OK}. Replicas that do not follow
     * their master yet are reported as a warning only: setting up replication is the operator's.
     */
    int checkServers(RedisProbe probe, List<Group> groups) {
        List<String> unreachable = new ArrayList<>();
        List<String> wrong = new ArrayList<>();
        for (Group g : groups) {
            RedisProbe.Health m = probe.probe(g.master());
            if (!m.up()) {
                unreachable.add("master " + g.master() + " of group " + g.id() + ": " + m.error());
            } else if (!m.isMaster()) {
                wrong.add("master " + g.master() + " of group " + g.id() + " is a replica of " + m.masterOf()
                        + ": make it a master (REPLICAOF NO ONE) or list it as a replica");
            }
            for (HostPort r : g.replicas()) {
                RedisProbe.Health h = probe.probe(r);
                if (!h.up()) {
                    unreachable.add("replica " + r + " of group " + g.id() + ": " + h.error());
                } else if (h.isMaster() || !g.master().toString().equals(h.masterOf())) {
                    err("warning: replica " + r + " of group " + g.id() + " does not replicate from " + g.master()
                            + (h.isMaster() ? " (it is a master)" : " (it follows " + h.masterOf() + ")"));
                }
            }
        }
        unreachable.forEach(u -> err("cannot reach redis-server: " + u));
        wrong.forEach(w -> err("refused: " + w));
        if (!unreachable.isEmpty() || !wrong.isEmpty()) {
            err("nothing was changed; fix the servers, or skip these checks with --no-check");
        }
        return !unreachable.isEmpty() ? Exit.UNREACHABLE : !wrong.isEmpty() ? Exit.CONFLICT : Exit.OK;
    }
}
