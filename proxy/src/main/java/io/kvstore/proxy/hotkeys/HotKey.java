package io.kvstore.proxy.hotkeys;

import java.nio.charset.StandardCharsets;

/**
 * One hot key as reported: its bytes, and the requests and bytes per second that name it,
 * estimated from the samples of one window (the sample counts divided by the sample rate and the
 * window's length). An estimate is at least the key's true share of the samples, and above it by
 * at most the sketch's error. Immutable (the array is never written once made).
 */
public record HotKey(byte[] key, double opsPerSecond, double bytesPerSecond) {

    /**
     * The key as one line of text: printable ASCII as is, a backslash as {@code \\}, any other byte
     * as {@code \xHH}; so it never holds CR, LF or a byte that breaks an INFO line or a metric label.
     */
    public String printable() {
        return printable(key);
    }

    /** See {@link #printable()}. */
    public static String printable(byte[] key) {
        StringBuilder out = new StringBuilder(key.length);
        for (byte b : key) {
            int c = b & 0xff;
            if (c == '\\') {
                out.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                out.append((char) c);
            } else {
                out.append(String.format("\\x%02x", c));
            }
        }
        return out.toString();
    }

    /** The reverse of {@link #printable(byte[])}, for readers of INFO hotkeys (the admin's stats). */
    public static byte[] parse(String printable) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(printable.length());
        for (int i = 0; i < printable.length(); i++) {
            char c = printable.charAt(i);
            if (c == '\\' && i + 1 < printable.length() && printable.charAt(i + 1) == '\\') {
                out.write('\\');
                i++;
            } else if (c == '\\' && i + 3 < printable.length() && printable.charAt(i + 1) == 'x') {
                out.write(Integer.parseInt(printable.substring(i + 2, i + 4), 16));
                i += 3;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }

    @Override
    public String toString() {
        return new String(key, StandardCharsets.ISO_8859_1) + " ops/s=" + opsPerSecond + " bytes/s=" + bytesPerSecond;
    }
}
