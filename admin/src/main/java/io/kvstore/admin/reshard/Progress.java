package io.kvstore.admin.reshard;

/**
 * What a driver reports as it goes; implementations print a bar, plain lines, or nothing. Called
 * by the driver thread, and by the mover threads of several sources, which the driver serializes
 * by holding the progress object's monitor: an implementation needs no locking of its own.
 */
public interface Progress extends AutoCloseable {

    /** A step starts: {@code slots} slots marked migrating at {@code epoch}. */
    void step(long epoch, int slots);

    /** {@code n} more keys moved. */
    void keys(long n);

    /** Slots flipped to their new owner so far, of {@code total}. */
    void slots(long done, long total);

    /** A line for the operator. */
    void note(String message);

    @Override
    void close();
}
