package io.kvstore.proxy.resp;

import io.kvstore.proxy.session.HoldStats;

/**
 * A deliberate violation for ArchitectureTest's positive control: {@code resp} (the bottom layer) naming a
 * {@code session} type points up and closes a resp → session → resp cycle. Test sources only, so the rules over main
 * classes never see it. Never instantiated; no thread.
 */
final class UpwardDependency {

    private HoldStats pointsUp;

    private UpwardDependency() {}
}
