package io.kvstore.config;

/**
 * How the proxy logs in to a redis-server and which database it selects. Immutable value.
 *
 * @param user     ACL user name, or null for the legacy {@code AUTH password} form
 * @param password password, or null for no AUTH
 * @param db       database index selected after connecting (0 = no SELECT sent)
 */
public record BackendAuth(String user, String password, int db) {

    public static final BackendAuth NONE = new BackendAuth(null, null, 0);

    public BackendAuth {
        if (db < 0) {
            throw new IllegalArgumentException("db must be >= 0");
        }
        if (user != null && password == null) {
            throw new IllegalArgumentException("a user needs a password");
        }
    }

    public boolean needsAuth() {
        return password != null;
    }
}
