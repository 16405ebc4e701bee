package io.kvstore.proxy.split;

import java.util.List;
import java.util.Locale;

/** Numbers in INFO text, read and written as Redis writes them. Stateless. */
public final class InfoFormat {

    private InfoFormat() {
    }

    /** The number in an INFO value ({@code 12}, {@code 0.25}, {@code 99.50%}); 0 when there is none. */
    static double number(String value) {
        if (value == null) {
            return 0;
        }
        String v = value.endsWith("%") ? value.substring(0, value.length() - 1) : value;
        try {
            return Double.parseDouble(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** The total of integer values, or of decimal ones with the first value's decimals; the first value when one is no number. */
    static String sum(List<String> values) {
        long total = 0;
        boolean integers = true;
        for (String v : values) {
            try {
                total = Math.addExact(total, Long.parseLong(v));
            } catch (NumberFormatException | ArithmeticException e) {
                integers = false;
                break;
            }
        }
        if (integers) {
            return Long.toString(total);
        }
        double sum = 0;
        for (String v : values) {
            try {
                sum += Double.parseDouble(v);
            } catch (NumberFormatException e) {
                return values.get(0);
            }
        }
        String first = values.get(0);
        int dot = first.indexOf('.');
        int decimals = dot < 0 ? 0 : first.length() - dot - 1;
        return String.format(Locale.ROOT, "%." + decimals + "f", sum);
    }

    /** Redis's bytesToHuman: {@code 894.91K}, {@code 6.52M}, {@code 0B}. */
    static String bytesToHuman(long n) {
        String[] units = {"K", "M", "G", "T", "P"};
        if (n < 1024) {
            return n + "B";
        }
        double d = n;
        for (String unit : units) {
            d /= 1024;
            if (d < 1024 || unit.equals("P")) {
                return String.format(Locale.ROOT, "%.2f%s", d, unit);
            }
        }
        return n + "B";
    }

    /** {@code part / whole} as Redis's {@code %.2f%%}. */
    static String percent(double part, double whole) {
        return String.format(Locale.ROOT, "%.2f%%", whole <= 0 ? 0 : part * 100 / whole);
    }

    /** {@code a / b} as Redis's {@code %.2f}. */
    static String ratio(double a, double b) {
        return String.format(Locale.ROOT, "%.2f", b <= 0 ? 0 : a / b);
    }

    /** Compares dotted versions number by number ({@code 7.0.15} after {@code 7.0.9}). */
    public static int compareVersions(String a, String b) {
        String[] x = a.split("\\.");
        String[] y = b.split("\\.");
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int c = Long.compare(part(x, i), part(y, i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static long part(String[] parts, int i) {
        try {
            return i < parts.length ? Long.parseLong(parts[i]) : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
