package io.kvstore.config.store;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.KeeperException;

/**
 * Reads and writes a cluster's {@code users} node: the ACL users every proxy of the cluster
 * applies, one rule line per user ({@code alice on #<sha256> ~app:* +@read}), in Redis's rule
 * syntax. A {@code >password} or {@code <password} word is turned into its SHA-256
 * ({@code #...} / {@code !...}) before it is written, so ZooKeeper never holds a password.
 * Writes are compare-and-set on the node's version. Blocking: never call it on an event loop.
 * Thread-safe as Curator is.
 */
public final class UserStore {

    private final CuratorFramework zk;
    private final String cluster;
    private final String path;

    public UserStore(CuratorFramework zk, String cluster) {
        this.zk = zk;
        this.cluster = cluster;
        this.path = StorePaths.users(cluster);
    }

    /** The node every proxy watches. */
    public String path() {
        return path;
    }

    /** Every user's rule line, by name, in the order written; empty when none was ever set. */
    public Map<String, String> read() {
        try {
            return decode(zk.getData().forPath(path));
        } catch (KeeperException.NoNodeException e) {
            return Map.of();
        } catch (Exception e) {
            throw new StoreException.Unavailable("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Applies {@code rules} to user {@code name} (created when new), as ACL SETUSER does: the words
     * are added after the user's present ones. Returns the line written.
     */
    public String set(String name, List<String> rules) {
        checkName(name);
        StringBuilder words = new StringBuilder();
        rules.forEach(r -> words.append(' ').append(hashed(r)));
        String[] line = new String[1];
        update(users -> {
            Map<String, String> next = new LinkedHashMap<>(users);
            line[0] = next.getOrDefault(name, name) + words;
            next.put(name, line[0]);
            return next;
        });
        return line[0];
    }

    /** Removes user {@code name}; false when there was none. */
    public boolean delete(String name) {
        boolean[] found = new boolean[1];
        update(users -> {
            Map<String, String> next = new LinkedHashMap<>(users);
            found[0] = next.remove(name) != null;
            return next;
        });
        return found[0];
    }

    /** A rule word as stored: {@code >pass} and {@code <pass} become {@code #sha256} and {@code !sha256}. */
    public static String hashed(String word) {
        if (word.startsWith(">") || word.startsWith("<")) {
            String h = sha256(word.substring(1).getBytes(StandardCharsets.UTF_8));
            return (word.charAt(0) == '>' ? "#" : "!") + h;
        }
        return word;
    }

    private static String sha256(byte[] password) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(password));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    private static void checkName(String name) {
        if (name.isEmpty() || !name.chars().allMatch(c -> c > ' ' && c < 127)) {
            throw new IllegalArgumentException("bad user name '" + name + "': printable ASCII, no spaces");
        }
    }

    private void update(UnaryOperator<Map<String, String>> change) {
        CasNode.update(zk, cluster, path, data -> change.apply(decode(data)), UserStore::encode);
    }

    private static Map<String, String> decode(byte[] data) {
        Map<String, String> users = new LinkedHashMap<>();
        for (String line : new String(data == null ? new byte[0] : data, StandardCharsets.UTF_8).split("\n")) {
            String t = line.trim();
            if (!t.isEmpty()) {
                users.put(t.split("\\s+", 2)[0], t);
            }
        }
        return users;
    }

    private static byte[] encode(Map<String, String> users) {
        List<String> lines = new ArrayList<>(users.values());
        return (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    }
}
