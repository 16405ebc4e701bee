package io.kvstore.proxy.rewrite;

import io.kvstore.config.RewrittenKey;
import io.kvstore.config.rewrite.RewriteRules;
import io.kvstore.proxy.command.CommandSpec;
import io.kvstore.proxy.command.KeyFinder;
import io.kvstore.proxy.resp.Request;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The data path of key rewrite: turns a client's request into the one sent to the servers while
 * the cluster has rewrite rules. Keys matching a rule (at the positions the router uses) are
 * replaced by their physical names; commands whose replies carry key names (KEYS, SCAN,
 * RANDOMKEY; the blocking and multi pops and XREAD, which name the key a value came from) get a
 * reply filter that shows logical names and, for the listings, hides old generations
 * ({@link KeyListReplies}). Stateless; runs on the client's event loop.
 *
 * <p>Invariant: a client's key never starts with the reserved prefix {@code \xffkv} here (refused),
 * so no physical name reaches a server from a client, and none comes back to one. Routing after
 * this step hashes the physical names, which {@code SlotHash}/{@code KeySlot} hash by their
 * logical part: slots and {@code {hash tag}} groups are those of the client's names.
 */
public final class KeyRewrite {

    static final String RESERVED = "ERR key names starting with \\xffkv are reserved for kvstore's key rewrite";

    private KeyRewrite() {
    }

    /**
     * What to send and how to answer: the request to dispatch (the same one when nothing changed,
     * else a new one and the old one released), a filter for the reply (null for none), or an
     * error to answer with (the request is then left to the caller to release).
     */
    public record Outcome(Request request, UnaryOperator<ByteBuf> replies, String error) {
    }

    public static Outcome apply(RewriteRules rules, CommandSpec spec, Request request, ByteBufAllocator alloc, int protocol) {
        switch (spec.name()) {
            case "keys" -> {
                if (request.argCount() > 2) {
                    return new Outcome(request, null, null); // KeysPage walks with the client's names (KeyNames)
                }
                byte[] pattern = request.argBytes(1);
                return new Outcome(replaced(request, alloc, 1, new byte[] {'*'}), KeyListReplies.keys(rules, pattern), null);
            }
            case "scan" -> {
                return scan(rules, request, alloc);
            }
            case "randomkey" -> {
                return new Outcome(request, KeyListReplies.randomKey(rules, protocol), null);
            }
            case "pdel" -> {
                return new Outcome(request, null, null); // PatternDelete matches and deletes by the client's names (KeyNames)
            }
            default -> {
                Outcome o = keys(rules, spec, request, alloc);
                UnaryOperator<ByteBuf> replies = switch (spec.name()) {
                    case "blpop", "brpop", "bzpopmin", "bzpopmax", "lmpop", "blmpop", "zmpop", "bzmpop" -> KeyListReplies.keyFirst();
                    case "xread", "xreadgroup" -> KeyListReplies.streams();
                    default -> null;
                };
                return replies == null || o.error() != null ? o : new Outcome(o.request(), replies, null);
            }
        }
    }

    private static Outcome keys(RewriteRules rules, CommandSpec spec, Request request, ByteBufAllocator alloc) {
        int[] keys;
        try {
            keys = KeyFinder.redisKeys(spec, request, 0); // not SORT's BY/GET patterns
        } catch (KeyFinder.BadKeysException e) {
            return new Outcome(request, null, null); // routing answers it
        }
        int[] at = null;
        byte[][] physical = null;
        int n = 0;
        for (int k : keys) {
            byte[] key = request.argBytes(k);
            if (RewrittenKey.reserved(key, 0, key.length)) {
                return refused(RESERVED);
            }
            byte[] name = rules.physical(key);
            if (name != key) {
                if (at == null) {
                    at = new int[keys.length];
                    physical = new byte[keys.length][];
                }
                at[n] = k;
                physical[n++] = name;
            }
        }
        if (at == null) {
            return new Outcome(request, null, null);
        }
        sortByIndex(at, physical, n);
        Request rewritten = request.replacing(alloc, java.util.Arrays.copyOf(at, n), java.util.Arrays.copyOf(physical, n));
        request.release();
        return new Outcome(rewritten, null, null);
    }

    /** Key indexes come in command order, which is ascending for every command but a few (insertion sort: n is small). */
    private static void sortByIndex(int[] at, byte[][] values, int n) {
        for (int i = 1; i < n; i++) {
            for (int j = i; j > 0 && at[j - 1] > at[j]; j--) {
                int t = at[j];
                at[j] = at[j - 1];
                at[j - 1] = t;
                byte[] v = values[j];
                values[j] = values[j - 1];
                values[j - 1] = v;
            }
        }
    }

    /** SCAN without its MATCH (matched here against logical names), filtered by {@link KeyListReplies#scan}. */
    private static Outcome scan(RewriteRules rules, Request request, ByteBufAllocator alloc) {
        byte[] match = null;
        List<byte[]> words = new ArrayList<>();
        for (int i = 0; i < request.argCount(); i++) {
            if (i >= 2 && request.argIs(i, "MATCH") && i + 1 < request.argCount()) {
                match = request.argBytes(++i);
            } else {
                words.add(request.argBytes(i));
            }
        }
        Request next = request;
        if (match != null) {
            next = Request.of(alloc, words);
            request.release();
        }
        return new Outcome(next, KeyListReplies.scan(rules, match), null);
    }

    private static Request replaced(Request request, ByteBufAllocator alloc, int index, byte[] value) {
        List<byte[]> words = words(request);
        words.set(index, value);
        Request next = Request.of(alloc, words);
        request.release();
        return next;
    }

    private static List<byte[]> words(Request request) {
        List<byte[]> words = new ArrayList<>(request.argCount());
        for (int i = 0; i < request.argCount(); i++) {
            words.add(request.argBytes(i));
        }
        return words;
    }

    private static Outcome refused(String error) {
        return new Outcome(null, null, error);
    }
}
