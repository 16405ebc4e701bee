package io.kvstore.proxy.session;

import io.kvstore.proxy.acl.AclUser;
import io.kvstore.proxy.acl.Users;

/**
 * Who one client is: the user it runs as, whether it has authenticated, and the place it holds in
 * that user's connection count ({@link UserConnections}). A new (or RESET) connection is the
 * default user, authenticated when that user is on with nopass. Confined to the client's event loop.
 *
 * <p>Invariants: {@code user} is the current snapshot's user of that name, except between a users
 * change and {@link #usersChanged} running on the loop; an authenticated login holds exactly one
 * place, for its user's name ({@code counted}), and an unauthenticated one none.
 */
final class Login {

    private final UserConnections places;
    private AclUser user;
    private boolean authenticated;
    /** The user name this login holds a place for, or null. */
    private String counted;

    /** Not yet logged in as anyone: {@link #reset} at connect makes it the default user. */
    Login(Users users, UserConnections places) {
        this.places = places;
        this.user = users.defaultUser();
    }

    /**
     * Back to a fresh connection's login. False when the default user logs in without a password
     * but has its connection limit: the client must be refused and closed.
     */
    boolean reset(Users users) {
        leave();
        user = users.defaultUser();
        return !users.defaultAuthenticates() || authenticate(user);
    }

    AclUser user() {
        return user;
    }

    boolean authenticated() {
        return authenticated;
    }

    /**
     * A successful AUTH as {@code as}. False, with the login unchanged, when {@code as} has its
     * connection limit (re-authenticating as the same user keeps its place).
     */
    boolean authenticate(AclUser as) {
        if (!as.name().equals(counted)) {
            if (!places.enter(as.name())) {
                return false;
            }
            leave();
            counted = as.name();
        }
        user = as;
        authenticated = true;
        return true;
    }

    /** The client closed: gives back its place. */
    void leave() {
        if (counted != null) {
            places.leave(counted);
            counted = null;
        }
        authenticated = false;
    }

    /**
     * The users changed: takes this user's new rules. Returns false when an authenticated
     * client's user was deleted or disabled: the connection must close, as Redis closes the
     * connections of a deleted user.
     */
    boolean usersChanged(Users users) {
        AclUser next = users.get(user.name());
        if (next == null || !next.rules().enabled()) {
            if (authenticated) {
                return false;
            }
            return reset(users); // not logged in: it only ever was the default user
        }
        user = next;
        return true;
    }
}
