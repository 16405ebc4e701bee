package io.kvstore.proxy.command;

import io.kvstore.proxy.resp.Request;

/**
 * Finds the key arguments of a request: from the table's first/last/step for most commands, and
 * by each command's own rule where the keys move (a numkeys argument, STORE, STREAMS). Stateless.
 */
public final class KeyFinder {

    /** Thrown with a Redis-style error when the arguments do not say where the keys are. */
    public static final class BadKeysException extends RuntimeException {
        BadKeysException(String message) {
            super(message, null, false, false);
        }
    }

    private KeyFinder() {
    }

    /** The indexes of the key arguments of {@code request}, in order; empty for a command with no keys. */
    public static int[] keys(CommandSpec spec, Request request) {
        return keys(spec, request, 0);
    }

    /**
     * The same for a command that starts at argument {@code base} of {@code request} (COMMAND
     * GETKEYS holds the command it asks about from argument 2 on). Indexes are into {@code request}.
     */
    public static int[] keys(CommandSpec spec, Request request, int base) {
        int argc = request.argCount() - base;
        return switch (spec.name()) {
            case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro" -> counted(request, base, 2, 3);
            case "zunionstore", "zinterstore", "zdiffstore" -> withDestination(base, counted(request, base, 2, 3));
            case "zunion", "zinter", "zdiff", "zintercard", "sintercard", "lmpop", "zmpop" -> counted(request, base, 1, 2);
            case "blmpop", "bzmpop" -> counted(request, base, 2, 3);
            case "sort", "sort_ro", "georadius", "georadiusbymember" -> withStore(request, base);
            case "xread", "xreadgroup" -> streams(request, base);
            default -> fixed(spec, argc, base);
        };
    }

    private static int[] fixed(CommandSpec spec, int argc, int base) {
        if (spec.firstKey() <= 0) {
            return new int[0];
        }
        int last = spec.lastKeyIndex(argc);
        if (last >= argc) {
            last = argc - 1;
        }
        int n = Math.max(0, (last - spec.firstKey()) / spec.keyStep() + 1);
        int[] keys = new int[n];
        for (int i = 0; i < n; i++) {
            keys[i] = base + spec.firstKey() + i * spec.keyStep();
        }
        return keys;
    }

    /** {@code numkeys} at {@code countAt}, keys from {@code firstAt} (both relative to {@code base}). */
    private static int[] counted(Request request, int base, int countAt, int firstAt) {
        countAt += base;
        firstAt += base;
        long n = request.argLong(countAt);
        if (n == Long.MIN_VALUE) {
            throw new BadKeysException("ERR value is not an integer or out of range");
        }
        if (n < 0) {
            throw new BadKeysException("ERR Number of keys can't be negative");
        }
        if (firstAt + n > request.argCount()) {
            throw new BadKeysException("ERR Number of keys can't be greater than number of args");
        }
        int[] keys = new int[(int) n];
        for (int i = 0; i < n; i++) {
            keys[i] = firstAt + i;
        }
        return keys;
    }

    private static int[] withDestination(int base, int[] sources) {
        int[] keys = new int[sources.length + 1];
        keys[0] = base + 1;
        System.arraycopy(sources, 0, keys, 1, sources.length);
        return keys;
    }

    /** The key at 1 plus the destination of STORE / STOREDIST, when present. */
    private static int[] withStore(Request request, int base) {
        for (int i = base + 2; i < request.argCount() - 1; i++) {
            if (request.argIs(i, "STORE") || request.argIs(i, "STOREDIST")) {
                return new int[] {base + 1, i + 1};
            }
        }
        return new int[] {base + 1};
    }

    /** XREAD ... STREAMS k1 k2 ... id1 id2: the first half of what follows STREAMS. */
    private static int[] streams(Request request, int base) {
        for (int i = base + 1; i < request.argCount(); i++) {
            if (request.argIs(i, "STREAMS")) {
                int rest = request.argCount() - i - 1;
                if (rest == 0 || rest % 2 != 0) {
                    throw new BadKeysException("ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' must be specified.");
                }
                int[] keys = new int[rest / 2];
                for (int k = 0; k < keys.length; k++) {
                    keys[k] = i + 1 + k;
                }
                return keys;
            }
        }
        throw new BadKeysException("ERR syntax error");
    }
}
