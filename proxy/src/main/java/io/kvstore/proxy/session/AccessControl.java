package io.kvstore.proxy.session;

import io.kvstore.proxy.acl.AclUser;
import io.kvstore.proxy.acl.Users;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's users and what refusing access costs: the current {@link Users} snapshot (swapped
 * whole when ZooKeeper or a reload changes them; every client then re-reads its user on its own
 * loop, and one whose user was deleted or disabled is closed), the counters INFO shows, and the
 * rate-limited log of failed AUTHs. Thread-safe: written by the control plane, read by every loop.
 */
public final class AccessControl {

    private static final Logger LOG = LoggerFactory.getLogger(AccessControl.class);
    /** At most one failed-AUTH log line per this many ms; the rest are counted in the next line. */
    private static final long LOG_EVERY_MILLIS = 1000;

    private final ClientRegistry clients;
    private final UserConnections connections = new UserConnections();
    private final AclLog log = new AclLog();
    private volatile Users users;
    private final LongAdder deniedAuth = new LongAdder();
    private final LongAdder deniedCommand = new LongAdder();
    private final LongAdder deniedKey = new LongAdder();
    private final LongAdder deniedChannel = new LongAdder();
    private final AtomicLong lastLogMillis = new AtomicLong();
    private final AtomicLong unlogged = new AtomicLong();

    AccessControl(ClientRegistry clients, Users users) {
        this.clients = clients;
        this.users = users;
    }

    public Users users() {
        return users;
    }

    /** ACL LOG: this proxy's latest denials. */
    public AclLog log() {
        return log;
    }

    /** How many connections each user has, against its limit. */
    public UserConnections connections() {
        return connections;
    }

    /** Puts {@code next} in force: new commands are checked by it, and clients of a deleted or disabled user are closed. */
    public void users(Users next) {
        users = next;
        for (ClientSession s : clients.all()) {
            s.runOnLoop(() -> loginChanged(s, next));
        }
    }

    /** On the client's loop: takes the user's new rules; a client whose user was deleted or disabled is closed. */
    private static void loginChanged(ClientSession s, Users next) {
        Login login = s.login();
        if (!login.usersChanged(next)) {
            s.closeBecause("its user '" + login.user().name() + "' was deleted or disabled");
        }
    }

    /** A wrong user or password from {@code session} in {@code command}: counted, in ACL LOG, and logged at most once a second. */
    void authFailed(ClientSession session, String command, String user) {
        deniedAuth.increment();
        log.add("auth", context(session), command, user, session.describe()); // the object is AUTH or HELLO as sent, as in Redis
        String client = session.remoteAddress();
        long now = System.currentTimeMillis();
        long last = lastLogMillis.get();
        if (now - last >= LOG_EVERY_MILLIS && lastLogMillis.compareAndSet(last, now)) {
            long more = unlogged.getAndSet(0);
            LOG.warn("AUTH failed for user '{}' from {}{}", user, client, more == 0 ? "" : " (and " + more + " more failures not logged)");
        } else {
            unlogged.incrementAndGet();
        }
    }

    /** A request of {@code session} refused by its user's rules at {@code object} (the command, key or channel). */
    void denied(ClientSession session, AclUser.Denial why, String object) {
        log.add(why.name().toLowerCase(java.util.Locale.ROOT), context(session), object, session.login().user().name(),
                session.describe());
        switch (why) {
            case COMMAND -> deniedCommand.increment();
            case KEY -> deniedKey.increment();
            case CHANNEL -> deniedChannel.increment();
            default -> { }
        }
    }

    private static String context(ClientSession session) {
        return session.transaction().inMulti() ? "multi" : "toplevel";
    }

    /** The INFO lines, named as Redis names them in its stats section. */
    String info() {
        return "acl_access_denied_auth:" + deniedAuth.sum() + "\r\n"
                + "acl_access_denied_cmd:" + deniedCommand.sum() + "\r\n"
                + "acl_access_denied_key:" + deniedKey.sum() + "\r\n"
                + "acl_access_denied_channel:" + deniedChannel.sum() + "\r\n"
                + connections.info();
    }
}
