package io.kvstore.admin.snapshot;

import java.io.IOException;

/** A snapshot that must not be loaded: corrupt, truncated, incomplete, or too new for the servers. */
public final class BadSnapshot extends IOException {
    public BadSnapshot(String message) {
        super(message);
    }
}
