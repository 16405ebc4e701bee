package io.kvstore.config;

/**
 * How the proxy reaches and logs in to a redis-server and which database it selects. Immutable value.
 *
 * @param user     ACL user name, or null for the legacy {@code AUTH password} form
 * @param password password, or null for no AUTH
 * @param db       database index selected after connecting (0 = no SELECT sent)
 * @param tls      TLS to the servers' {@code tls-port}, or null for plain TCP
 */
public record BackendAuth(String user, String password, int db, BackendTls tls) {

    public static final BackendAuth NONE = new BackendAuth(null, null, 0);

    /** Plain TCP. */
    public BackendAuth(String user, String password, int db) {
        this(user, password, db, null);
    }

    public BackendAuth {
        if (db < 0) {
            throw new IllegalArgumentException("db must be >= 0");
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a user needs a password");
        }
    }

    /** The same login over {@code t} (null: plain TCP). */
    public BackendAuth withTls(BackendTls t) {
        return new BackendAuth(user, password, db, t);
    }

    public boolean needsAuth() {
        return password != null;
    }
}
