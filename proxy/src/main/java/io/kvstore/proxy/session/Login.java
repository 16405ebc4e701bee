package io.kvstore.proxy.session;

import io.kvstore.proxy.acl.AclUser;
import io.kvstore.proxy.acl.Users;

/**
 * Who one client is: the user it runs as and whether it has authenticated. A new (or RESET)
 * connection is the default user, authenticated when that user is on with nopass. Confined to the
 * client's event loop.
 *
 * <p>Invariant: {@code user} is the current snapshot's user of that name, except between a users
 * change and {@link #usersChanged} running on the loop.
 */
final class Login {

    private AclUser user;
    private boolean authenticated;

    Login(Users users) {
        reset(users);
    }

    /** Back to a fresh connection's login. */
    void reset(Users users) {
        user = users.defaultUser();
        authenticated = users.defaultAuthenticates();
    }

    AclUser user() {
        return user;
    }

    boolean authenticated() {
        return authenticated;
    }

    /** A successful AUTH as {@code as}. */
    void authenticate(AclUser as) {
        user = as;
        authenticated = true;
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
            reset(users); // not logged in: it only ever was the default user
            return true;
        }
        user = next;
        return true;
    }
}
