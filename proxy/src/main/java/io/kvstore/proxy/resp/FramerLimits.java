package io.kvstore.proxy.resp;

/**
 * Size limits the request framer enforces. Immutable value.
 *
 * @param maxBulkLength      largest argument in bytes (Redis: proto-max-bulk-len, 512 MB)
 * @param maxMultibulkLength most arguments in one command (Redis: 1M before AUTH)
 * @param maxInlineLength    longest inline command line (Redis: 64 KB)
 */
public record FramerLimits(long maxBulkLength, int maxMultibulkLength, int maxInlineLength) {

    public static final FramerLimits DEFAULTS = new FramerLimits(512L * 1024 * 1024, 1024 * 1024, 64 * 1024);

    public FramerLimits {
        if (maxBulkLength < 1 || maxBulkLength > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("max bulk length must be in 1.." + (Integer.MAX_VALUE - 64));
        }
        if (maxMultibulkLength < 1 || maxInlineLength < 16) {
            throw new IllegalArgumentException("limits too small");
        }
    }
}
