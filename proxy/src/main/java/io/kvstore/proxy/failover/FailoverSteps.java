package io.kvstore.proxy.failover;

import io.kvstore.config.store.FailoverRecord;

/**
 * Told after each named step of a failover ({@code chosen}, {@code promoted}, {@code flushed},
 * {@code caught-up}, {@code done}, {@code failed}), with the record as saved. Given to the
 * controller when it is built ({@link FailoverController}, {@code ProxyMain.run}); production
 * passes {@link #NONE}. Tests use it to stop a controller in the middle of a failover and kill it,
 * which is why it runs on the controller's thread and may block it.
 */
@FunctionalInterface
public interface FailoverSteps {

    /** Does nothing. */
    FailoverSteps NONE = (step, record) -> { };

    /** Called on the controller's thread ({@code kvstore-failover}) after {@code step}. */
    void after(String step, FailoverRecord record);
}
