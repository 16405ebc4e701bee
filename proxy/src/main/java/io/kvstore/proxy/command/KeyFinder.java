package io.kvstore.proxy.command;

import io.kvstore.proxy.resp.Request;

/**
 * Finds the key arguments of a request: from the table's first/last/step for most commands, and
 * by each command's own rule where the keys move (a numkeys argument, STORE, STREAMS). Stateless.
 */
public final class KeyFinder {

    /** Thrown with a Redis-style error when the arguments do not say where the keys are. */
    public static final class BadKeysException extends RuntimeException {
        private final boolean answerHere;

        BadKeysException(String message) {
            this(message, false);
        }

        BadKeysException(String message, boolean answerHere) {
            super(message, null, false, false);
            this.answerHere = answerHere;
        }

        /**
         * True when the proxy must refuse the command itself (it would run wrongly across groups);
         * false when the arguments are malformed and Redis refuses it anyway, in its own words.
         */
        public boolean answerHere() {
            return answerHere;
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
        return keys(spec, request, base, true);
    }

    /**
     * The keys as Redis's COMMAND GETKEYS lists them: SORT's BY and GET patterns are not keys
     * (they only constrain where SORT may run, see {@link #keys(CommandSpec, Request, int)}).
     */
    public static int[] redisKeys(CommandSpec spec, Request request, int base) {
        return keys(spec, request, base, false);
    }

    private static int[] keys(CommandSpec spec, Request request, int base, boolean routing) {
        int argc = request.argCount() - base;
        return switch (spec.name()) {
            case "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro" -> counted(request, base, 2, 3, routing);
            case "zunionstore", "zinterstore", "zdiffstore" -> withDestination(base, counted(request, base, 2, 3, routing));
            case "zunion", "zinter", "zdiff", "zintercard", "sintercard", "lmpop", "zmpop" -> counted(request, base, 1, 2, routing);
            case "blmpop", "bzmpop" -> counted(request, base, 2, 3, routing);
            case "sort", "sort_ro" -> sort(request, base, routing, spec.name().equals("sort"));
            case "georadius", "georadiusbymember" -> withStore(request, base);
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

    /**
     * {@code numkeys} at {@code countAt}, keys from {@code firstAt} (both relative to {@code base}).
     * Routing takes a numkeys of 0 (EVAL without keys runs anywhere); Redis's key finder, which
     * COMMAND GETKEYS shows, finds no keys unless numkeys is at least 1.
     */
    private static int[] counted(Request request, int base, int countAt, int firstAt, boolean routing) {
        countAt += base;
        firstAt += base;
        long n = request.argLong(countAt);
        if (n == Long.MIN_VALUE) {
            throw new BadKeysException("ERR value is not an integer or out of range");
        }
        if (n < 0) {
            throw new BadKeysException("ERR Number of keys can't be negative");
        }
        if (n == 0 && !routing) {
            throw new BadKeysException("ERR Invalid arguments specified for command");
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

    /**
     * SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [STORE dest]: the key, the
     * destination, and every pattern, which names keys too. A pattern with {@code *} outside a
     * hash tag may name keys of any group and is refused, as Redis Cluster does; a tagged one
     * counts as a key in its tag's slot.
     *
     * <p>The options are read as Redis's own key finder reads them ({@code sortGetKeys}), so that
     * routing and COMMAND GETKEYS agree with Redis: LIMIT skips two arguments, BY and GET one,
     * STORE skips none (so {@code STORE STORE x} names x), and only the last STORE counts, as
     * SORT itself keeps only the last. SORT_RO has no STORE.
     */
    private static int[] sort(Request request, int base, boolean routing, boolean canStore) {
        int argc = request.argCount();
        int[] keys = new int[argc];
        int n = 0;
        keys[n++] = base + 1;
        int store = -1;
        for (int i = base + 2; i < argc; i++) {
            boolean by = request.argIs(i, "BY");
            if (request.argIs(i, "LIMIT")) {
                i += 2;
            } else if (by || request.argIs(i, "GET")) {
                if (routing && i + 1 < argc && isKeyPattern(request, i + 1, by)) {
                    keys[n++] = i + 1;
                }
                i++;
            } else if (canStore && request.argIs(i, "STORE") && i + 1 < argc) {
                store = i + 1;
            }
        }
        if (store >= 0) {
            keys[n++] = store;
        }
        return java.util.Arrays.copyOf(keys, n);
    }

    /**
     * Whether the BY or GET pattern at {@code at} names keys that routing must check: not GET #,
     * nor a BY without '*' (NOSORT included: Redis then does not sort and reads no other key).
     */
    private static boolean isKeyPattern(Request request, int at, boolean by) {
        String pattern = request.argString(at);
        if (!by && pattern.equals("#") || by && pattern.indexOf('*') < 0) {
            return false;
        }
        int open = pattern.indexOf('{');
        int close = open < 0 ? -1 : pattern.indexOf('}', open + 1);
        boolean tagged = close > open + 1 && pattern.substring(open + 1, close).indexOf('*') < 0;
        if (pattern.indexOf('*') >= 0 && !tagged) {
            throw new BadKeysException("ERR " + (by ? "BY" : "GET") + " option of SORT denied in Cluster mode when "
                    + "keys formed by the pattern may be in different slots.", true);
        }
        return true;
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
