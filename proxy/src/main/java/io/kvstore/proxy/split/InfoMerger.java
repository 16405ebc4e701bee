package io.kvstore.proxy.split;

import io.kvstore.proxy.resp.Replies;
import io.kvstore.proxy.resp.ReplyReader;
import io.kvstore.proxy.split.InfoRules.Rule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * INFO through the proxy: the groups' INFO texts merged field by field as {@link InfoRules} says
 * (counters summed, the {@code # Keyspace} and {@code # Commandstats} entries totalled, the
 * process's identity the proxy's), followed by a {@code # Proxy} section describing kvstore
 * itself. Sections and fields come in the order of their first appearance, so a field or an
 * entry only some groups have (a command only one group ran) is kept. doc/info.md lists the rules.
 * A section the proxy's own text also has (its {@code # Commandstats} and {@code # Latencystats}
 * while latency tracking is on) replaces the groups'.
 * Expects no error reply (wrapped in {@link Merges#errorsFirst}). Immutable; runs on the client's event loop.
 */
public final class InfoMerger implements Merger {

    private final Supplier<ProxyFacts> facts;

    public InfoMerger(Supplier<ProxyFacts> facts) {
        this.facts = facts;
    }

    @Override
    public ByteBuf merge(ByteBufAllocator alloc, ByteBuf[] replies) {
        // section name -> field name -> the groups' values, in order of first appearance
        Map<String, Map<String, List<String>>> sections = new LinkedHashMap<>();
        for (ByteBuf r : replies) {
            Map<String, List<String>> section = null;
            for (String line : text(r).split("\r\n")) {
                int colon = line.indexOf(':');
                if (line.startsWith("# ")) {
                    section = sections.computeIfAbsent(line.substring(2), k -> new LinkedHashMap<>());
                } else if (section != null && colon > 0) {
                    section.computeIfAbsent(line.substring(0, colon), k -> new ArrayList<>()).add(line.substring(colon + 1));
                }
            }
        }
        ProxyFacts proxy = facts.get();
        StringBuilder out = new StringBuilder();
        sections.forEach((name, fields) -> {
            if (proxy.proxySection().contains("# " + name + "\r\n")) {
                return; // the proxy describes this section itself
            }
            out.append(out.length() > 0 ? "\r\n" : "").append("# ").append(name).append("\r\n");
            Map<String, String> merged = new LinkedHashMap<>();
            fields.forEach((field, values) -> {
                String v = InfoRules.ENTRY_SECTIONS.contains(name) ? entry(name, values)
                        : value(field, InfoRules.rule(field), values, merged, proxy);
                if (v != null) {
                    merged.put(field, v);
                }
            });
            merged.forEach((field, v) -> out.append(field).append(':').append(v).append("\r\n"));
        });
        if (!proxy.proxySection().isEmpty()) {
            out.append(out.length() > 0 ? "\r\n" : "").append(proxy.proxySection()); // sections are separated by one blank line
        }
        // The groups answered in the client's protocol: a verbatim string in RESP3, a bulk string in RESP2.
        int protocol = ReplyReader.type(replies[0]) == '=' ? 3 : 2;
        return Replies.verbatim(alloc, protocol, out.toString());
    }

    /** The merged value of a plain field; null to leave it out. {@code merged} holds the fields before it in its section. */
    private static String value(String field, Rule rule, List<String> values, Map<String, String> merged, ProxyFacts proxy) {
        return switch (rule) {
            case FIRST -> values.get(0);
            case SUM -> InfoFormat.sum(values);
            case MAX -> extreme(values, 1);
            case MIN -> extreme(values, -1);
            case LOWEST_VERSION -> lowestVersion(values);
            case WORST_STATUS -> values.stream().filter(v -> !v.equals("ok")).findFirst().orElse(values.get(0));
            case PROXY -> proxy.field(field);
            case DERIVED -> derived(field, values, merged);
            case DROP -> null;
        };
    }

    /** A figure computed from merged ones, as Redis computes it; the first group's when its inputs are missing. */
    private static String derived(String field, List<String> values, Map<String, String> merged) {
        if (field.endsWith("_human")) {
            String bytes = merged.get(field.substring(0, field.length() - "_human".length()));
            return bytes == null ? values.get(0) : InfoFormat.bytesToHuman(Long.parseLong(bytes));
        }
        double used = InfoFormat.number(merged.get("used_memory"));
        return switch (field) {
            case "used_memory_peak_perc" -> InfoFormat.percent(used, InfoFormat.number(merged.get("used_memory_peak")));
            case "used_memory_dataset_perc" -> InfoFormat.percent(InfoFormat.number(merged.get("used_memory_dataset")),
                    used - InfoFormat.number(merged.get("used_memory_startup")));
            case "mem_fragmentation_ratio" -> InfoFormat.ratio(InfoFormat.number(merged.get("used_memory_rss")), used);
            default -> values.get(0);
        };
    }

    /** An entry of the Keyspace, Commandstats, Errorstats or Latencystats section: {@code k=v} parts merged one by one. */
    private static String entry(String section, List<String> values) {
        Map<String, List<String>> parts = new LinkedHashMap<>();
        for (String v : values) {
            for (String part : v.split(",")) {
                int eq = part.indexOf('=');
                if (eq > 0) {
                    parts.computeIfAbsent(part.substring(0, eq), k -> new ArrayList<>()).add(part.substring(eq + 1));
                }
            }
        }
        Map<String, String> merged = new LinkedHashMap<>();
        parts.forEach((part, vs) -> merged.put(part, switch (InfoRules.entryField(section, part)) {
            case MAX -> extreme(vs, 1);
            case DERIVED -> part.equals("usec_per_call")
                    ? String.format(Locale.ROOT, "%.2f", InfoFormat.number(merged.get("usec")) / Math.max(1, InfoFormat.number(merged.get("calls"))))
                    : avgTtl(values);
            default -> InfoFormat.sum(vs);
        }));
        StringBuilder out = new StringBuilder();
        merged.forEach((k, v) -> out.append(out.length() > 0 ? "," : "").append(k).append('=').append(v));
        return out.toString();
    }

    /** Redis's estimate of the mean TTL of keys with one, over the groups: each group's weighted by its keys with a TTL. */
    private static String avgTtl(List<String> dbValues) {
        double weighted = 0;
        double expires = 0;
        for (String v : dbValues) {
            Map<String, String> p = new LinkedHashMap<>();
            for (String part : v.split(",")) {
                p.put(part.substring(0, part.indexOf('=')), part.substring(part.indexOf('=') + 1));
            }
            double e = InfoFormat.number(p.get("expires"));
            weighted += InfoFormat.number(p.get("avg_ttl")) * e;
            expires += e;
        }
        return Long.toString(expires == 0 ? 0 : Math.round(weighted / expires));
    }

    /** The largest ({@code sign} 1) or smallest (-1) of numeric values, as the group wrote it. */
    private static String extreme(List<String> values, int sign) {
        String best = values.get(0);
        for (String v : values) {
            if (Double.compare(InfoFormat.number(v), InfoFormat.number(best)) * sign > 0) {
                best = v;
            }
        }
        return best;
    }

    private static String lowestVersion(List<String> values) {
        String lowest = values.get(0);
        for (String v : values) {
            if (InfoFormat.compareVersions(v, lowest) < 0) {
                lowest = v;
            }
        }
        return lowest;
    }

    private static String text(ByteBuf reply) {
        byte[] b = ReplyReader.bulk(reply, reply.readerIndex());
        return b == null ? "" : new String(b, StandardCharsets.UTF_8);
    }
}
