package io.kvstore.proxy.session;

import io.kvstore.config.Group;
import io.kvstore.config.SlotMap;
import io.kvstore.proxy.backend.BackendConnection;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.resp.ReplySink;
import io.kvstore.proxy.resp.Request;
import io.kvstore.proxy.resp.RespWriter;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A blocking command (BLPOP, BLMOVE, BZPOPMIN, BLMPOP, XREAD BLOCK, ...) waiting on its client's
 * dedicated connection, kept so that it can follow its keys when their slot moves. A command
 * blocked on the old owner would otherwise never see a push made on the new one.
 *
 * <p>When a new map moves, marks or freezes the slot of one of its keys, the proxy sends
 * {@code CLIENT UNBLOCK <id>} for the waiting connection (its id asked with {@code CLIENT ID} just
 * before the command). Redis then answers the command as if it had timed out, unless a push
 * served it first: a real reply goes to the client as it is, a nil reply means the command was
 * unblocked and it is dispatched again, with what is left of its timeout, so it waits where its
 * keys now live (held while frozen, moved first while migrating). Unblocking is atomic in Redis,
 * so an element is popped exactly once: by the old wait, or by the new one.
 *
 * <p>A client that shuts down its sending side while the command waits is treated as Redis
 * treats a blocked client at end of file: the wait is stopped the same way ({@link #abandon}); a
 * command served first is answered as usual, one that was unblocked closes the connection
 * without a reply, after the replies owed before it.
 *
 * <p>Owned by the client's event loop.
 */
final class BlockedCall implements ReplySink {

    /** How often an unblock that found the command not blocked (yet) is tried again, 20 ms apart. */
    private static final int MAX_UNBLOCK_TRIES = 250;

    private final ClientSession session;
    private final CommandDispatcher dispatcher;
    private final PendingReply pending;
    private final List<byte[]> words;
    private final int[] slots;
    private final Group group;
    private final long startNanos = System.nanoTime();
    private long backendId = -1;
    private boolean unblockWanted;
    private boolean abandoned;
    private boolean unblocking;
    private int unblockTries;
    private boolean done;

    BlockedCall(ClientSession session, CommandDispatcher dispatcher, Request request, int[] keys, Group group,
                PendingReply pending) {
        this.session = session;
        this.dispatcher = dispatcher;
        this.pending = pending;
        this.group = group;
        this.words = new ArrayList<>(request.argCount());
        for (int i = 0; i < request.argCount(); i++) {
            words.add(request.argBytes(i));
        }
        this.slots = new int[keys.length];
        for (int i = 0; i < keys.length; i++) {
            slots[i] = io.kvstore.proxy.route.KeySlot.of(request.frame(), request.argOffset(keys[i]), request.argLength(keys[i]));
        }
    }

    /** Sends {@code CLIENT ID} and then the command on {@code connection}, this call answering the command. */
    void send(BackendConnection connection, ByteBuf frame) {
        connection.send(command("CLIENT", "ID"), new ReplySink() {
            @Override
            public void onReply(ByteBuf reply) {
                if (ReplyReader.type(reply) == ':') {
                    backendId = ReplyReader.number(reply, reply.readerIndex());
                }
                reply.release();
                if (unblockWanted) {
                    unblock();
                }
            }

            @Override
            public void onFailure(String message) {
                // the command behind it fails the same way, and carries the error
            }
        });
        connection.send(frame, this);
    }

    /** Whether {@code map} has moved, marked or frozen the slot of one of the keys, or given it to another group. */
    boolean displacedBy(SlotMap map) {
        for (int slot : slots) {
            if (map.migrationTarget(slot) >= 0 || !map.groupOf(slot).id().equals(group.id())
                    || !map.groupOf(slot).master().equals(group.master())) {
                return true;
            }
        }
        return false;
    }

    /** Whether this waits on {@code master}'s connection and stays there (not answered, not being unblocked to move). */
    boolean staysOn(io.kvstore.config.HostPort master) {
        return !done && !unblockWanted && !unblocking && group.master().equals(master);
    }

    /** The client will send nothing more: stop the wait for good rather than dispatch it again. */
    void abandon() {
        abandoned = true;
        unblock();
    }

    /** Asks the server to stop the wait; the command's reply then says whether it was served first. */
    void unblock() {
        if (done || unblocking) {
            return;
        }
        if (backendId < 0) {
            unblockWanted = true; // CLIENT ID has not answered yet
            return;
        }
        unblocking = true;
        // A connection of its own: the client's shared ones may be busy behind other clients' commands.
        BackendConnection side = session.worker().dedicated(group, 2);
        side.send(command("CLIENT", "UNBLOCK", Long.toString(backendId)), new ReplySink() {
            @Override
            public void onReply(ByteBuf reply) {
                boolean notBlocked = ReplyReader.type(reply) == ':' && ReplyReader.number(reply, reply.readerIndex()) == 0;
                reply.release();
                side.close();
                if (notBlocked && !done && ++unblockTries < MAX_UNBLOCK_TRIES) {
                    // Not blocked yet (still queued behind the connection's earlier commands), or
                    // served and its reply on the way: look again shortly.
                    unblocking = false;
                    session.worker().loop().schedule(BlockedCall.this::unblock, 20, java.util.concurrent.TimeUnit.MILLISECONDS);
                }
            }

            @Override
            public void onFailure(String message) {
                side.close(); // the old owner is gone: the wait ends with its connection
            }
        });
    }

    /** A blocking command waits for data, not for a stalled server: the stall check leaves it alone. */
    @Override
    public boolean waitsOnPurpose() {
        return true;
    }

    @Override
    public void onReply(ByteBuf reply) {
        done = true;
        session.blocked().remove(this);
        if (!unblocking || !isNil(reply)) {
            pending.onReply(reply);
            return;
        }
        if (abandoned) {
            reply.release();
            pending.closeAfterReply(); // nothing is written for it, nor for anything after it
            pending.onReply(io.netty.buffer.Unpooled.EMPTY_BUFFER);
            return;
        }
        Request again = withTimeLeft();
        if (again == null) {
            pending.onReply(reply); // its time was up anyway: the nil is the answer
            return;
        }
        reply.release();
        dispatcher.dispatch(session, again, pending);
    }

    @Override
    public void onFailure(String message) {
        done = true;
        session.blocked().remove(this);
        pending.onFailure(message);
    }

    private ByteBuf command(String... words) {
        return RespWriter.command(session.alloc(), words);
    }

    private static boolean isNil(ByteBuf reply) {
        return ReplyReader.isNull(reply, reply.readerIndex());
    }

    /** The command with its timeout lowered by the time already waited; null when no time is left. */
    private Request withTimeLeft() {
        List<byte[]> next = new ArrayList<>(words);
        String name = new String(words.get(0), StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        double waitedMillis = (System.nanoTime() - startNanos) / 1e6;
        int at = timeoutIndex(name);
        if (at > 0 && at < words.size()) {
            boolean millis = name.startsWith("xread");
            double timeout;
            try {
                timeout = Double.parseDouble(new String(words.get(at), StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                timeout = 0; // Redis refused it before it could block; cannot happen here
            }
            if (timeout > 0) {
                double leftMillis = (millis ? timeout : timeout * 1000) - waitedMillis;
                if (leftMillis < 1) {
                    return null;
                }
                String left = millis ? Long.toString((long) leftMillis) : String.format(Locale.ROOT, "%.3f", leftMillis / 1000);
                next.set(at, left.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return Request.of(session.alloc(), next);
    }

    /** Where the command's timeout is: the last argument, the first (BLMPOP, BZMPOP), or after BLOCK (XREAD). */
    private int timeoutIndex(String name) {
        return switch (name) {
            case "blmpop", "bzmpop" -> 1;
            case "xread", "xreadgroup" -> {
                for (int i = 1; i + 1 < words.size(); i++) {
                    String w = new String(words.get(i), StandardCharsets.US_ASCII);
                    if (w.equalsIgnoreCase("STREAMS")) {
                        break;
                    }
                    if (w.equalsIgnoreCase("BLOCK")) {
                        yield i + 1;
                    }
                }
                yield -1;
            }
            default -> words.size() - 1;
        };
    }
}
