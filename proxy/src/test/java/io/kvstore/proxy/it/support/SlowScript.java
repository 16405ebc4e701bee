package io.kvstore.proxy.it.support;

/**
 * A command known to be slow, for tests of latency figures: DEBUG SLEEP does not go through the
 * proxy, so a Lua script busy-loops on the server for at least 20 ms (bounded by the server's clock).
 */
public final class SlowScript {

    /** At least this long on the server, in microseconds. */
    public static final long MICROS = 20_000;

    /** EVAL it with one key; it returns 1. Longer than the 128 bytes a slow log keeps of an argument. */
    public static final String BUSY = "local s = redis.call('TIME') local t0 = s[1] * 1000000 + s[2] "
            + "while true do local n = redis.call('TIME') if n[1] * 1000000 + n[2] - t0 >= " + MICROS + " then break end end "
            + "return 1 -- padding so that the script is longer than the 128 bytes a slow log keeps of an argument";

    private SlowScript() {
    }
}
