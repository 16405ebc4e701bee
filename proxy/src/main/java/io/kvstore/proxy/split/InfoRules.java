package io.kvstore.proxy.split;

import java.util.Set;

/**
 * How each INFO field of the groups becomes the one field the client sees (doc/info.md lists
 * them). A field no rule names is the first group's: build and configuration fields, the same on
 * every group of one cluster. Stateless.
 */
final class InfoRules {

    /** What the merged value of a field is. */
    enum Rule {
        /** The first group's value. */
        FIRST,
        /** The total over the groups (a number's decimals kept). */
        SUM,
        /** The largest value: in-progress flags (any group), peaks, things every group holds alike. */
        MAX,
        /** The smallest value (the oldest save). */
        MIN,
        /** The lowest Redis version: the commands every group understands. */
        LOWEST_VERSION,
        /** {@code ok} unless some group reports otherwise, then that group's status. */
        WORST_STATUS,
        /** The proxy's own value: fields that identify one process or its clients. */
        PROXY,
        /** Recomputed from the merged fields it is derived from. */
        DERIVED,
        /** Not shown: it names a backend server (a replica's address). */
        DROP
    }

    /** Sections of {@code name:k=v,k=v} entries, merged entry by entry (see {@link #entryField}). */
    static final Set<String> ENTRY_SECTIONS = Set.of("Keyspace", "Commandstats", "Errorstats", "Latencystats");

    private static final Set<String> PROXY = Set.of("process_id", "run_id", "tcp_port", "executable", "config_file",
            "uptime_in_seconds", "uptime_in_days", "server_time_usec", "connected_clients", "maxclients",
            "master_replid", "master_replid2");

    private static final Set<String> SUM = Set.of(
            // Clients
            "blocked_clients", "tracking_clients", "clients_in_timeout_table", "cluster_connections",
            // Memory
            "used_memory", "used_memory_rss", "used_memory_peak", "used_memory_overhead", "used_memory_startup",
            "used_memory_dataset", "allocator_allocated", "allocator_active", "allocator_resident", "used_memory_lua",
            "used_memory_vm_eval", "used_memory_scripts_eval", "used_memory_vm_functions", "used_memory_vm_total",
            "used_memory_functions", "used_memory_scripts", "maxmemory", "allocator_frag_bytes", "allocator_rss_bytes",
            "rss_overhead_bytes", "mem_fragmentation_bytes", "mem_not_counted_for_evict", "mem_replication_backlog",
            "mem_total_replication_buffers", "mem_clients_slaves", "mem_clients_normal", "mem_cluster_links",
            "mem_aof_buffer", "lazyfree_pending_objects", "lazyfreed_objects",
            // Persistence
            "rdb_changes_since_last_save", "rdb_saves", "aof_rewrites", "current_save_keys_processed",
            "current_save_keys_total", "rdb_last_load_keys_expired", "rdb_last_load_keys_loaded",
            // Stats
            "total_connections_received", "total_commands_processed", "instantaneous_ops_per_sec",
            "total_net_input_bytes", "total_net_output_bytes", "total_net_repl_input_bytes",
            "total_net_repl_output_bytes", "instantaneous_input_kbps", "instantaneous_output_kbps",
            "instantaneous_input_repl_kbps", "instantaneous_output_repl_kbps", "rejected_connections", "sync_full",
            "sync_partial_ok", "sync_partial_err", "expired_keys", "expired_time_cap_reached_count",
            "expire_cycle_cpu_milliseconds", "evicted_keys", "evicted_clients", "total_eviction_exceeded_time",
            "keyspace_hits", "keyspace_misses", "pubsub_channels", "pubsubshard_channels", "total_forks",
            "migrate_cached_sockets", "slave_expires_tracked_keys", "active_defrag_hits", "active_defrag_misses",
            "active_defrag_key_hits", "active_defrag_key_misses", "total_active_defrag_time", "tracking_total_keys",
            "tracking_total_items", "tracking_total_prefixes", "unexpected_error_replies", "total_error_replies",
            "dump_payload_sanitizations", "total_reads_processed", "total_writes_processed",
            "io_threaded_reads_processed", "io_threaded_writes_processed", "reply_buffer_shrinks",
            "reply_buffer_expands",
            // Replication
            "connected_slaves",
            // CPU
            "used_cpu_sys", "used_cpu_user", "used_cpu_sys_children", "used_cpu_user_children",
            "used_cpu_sys_main_thread", "used_cpu_user_main_thread");

    private static final Set<String> MAX = Set.of(
            // one group's figure is the client's worst case, or every group holds the same thing
            "client_recent_max_input_buffer", "client_recent_max_output_buffer", "number_of_cached_scripts",
            "number_of_functions", "number_of_libraries", "active_defrag_running", "loading", "async_loading",
            "current_cow_peak", "current_cow_size", "current_cow_size_age", "rdb_bgsave_in_progress", "aof_enabled",
            "aof_rewrite_in_progress", "aof_rewrite_scheduled", "aof_rewrites_consecutive_failures",
            "module_fork_in_progress", "pubsub_patterns", "latest_fork_usec", "current_eviction_exceeded_time",
            "current_active_defrag_time");

    private static final Set<String> DERIVED = Set.of("used_memory_peak_perc", "used_memory_dataset_perc",
            "mem_fragmentation_ratio");

    private InfoRules() {
    }

    static Rule rule(String field) {
        if (PROXY.contains(field)) {
            return Rule.PROXY;
        }
        if (SUM.contains(field)) {
            return Rule.SUM;
        }
        if (MAX.contains(field)) {
            return Rule.MAX;
        }
        if (DERIVED.contains(field) || field.endsWith("_human")) {
            return Rule.DERIVED;
        }
        if (field.endsWith("_ratio") || field.endsWith("_perc")) {
            return Rule.MAX; // a ratio cannot be summed; the worst group's
        }
        if (field.endsWith("_status")) {
            return Rule.WORST_STATUS;
        }
        if (field.equals("redis_version")) {
            return Rule.LOWEST_VERSION;
        }
        if (field.equals("rdb_last_save_time")) {
            return Rule.MIN;
        }
        if (field.matches("slave\\d+")) {
            return Rule.DROP;
        }
        return Rule.FIRST;
    }

    /**
     * The rule for one {@code k=v} part of an entry ({@code db0:keys=..}, {@code cmdstat_get:calls=..}):
     * counts are summed; {@code usec_per_call} and {@code avg_ttl} are recomputed (DERIVED);
     * latency percentiles are the largest of the groups'.
     */
    static Rule entryField(String section, String part) {
        if (part.equals("usec_per_call") || part.equals("avg_ttl")) {
            return Rule.DERIVED;
        }
        return section.equals("Latencystats") ? Rule.MAX : Rule.SUM;
    }
}
