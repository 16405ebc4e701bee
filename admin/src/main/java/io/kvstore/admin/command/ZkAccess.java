package io.kvstore.admin.command;

import io.kvstore.config.store.ZkSettings;

/**
 * Implemented by the top-level command ({@code AdminMain}), which owns the {@code --zk} options;
 * subcommands reach it through {@code spec.root()}. Called on the main thread.
 */
public interface ZkAccess {

    /** Where ZooKeeper is and how to log in, from {@code --zk}, {@code --zk-auth}, {@code --zk-timeout-ms}. */
    ZkSettings zkSettings();
}
