package io.kvstore.proxy.failover;

import io.kvstore.proxy.health.BackendConfigReapply;

/**
 * What the procedures act through, built once per controller: the cluster's ZooKeeper state
 * (writes leadership-guarded), the leadership to check before each change, the redis-servers, and
 * the recorded parameters a server gets before it is published as a master. Immutable value; its
 * parts are used on the controller's thread.
 */
record Tools(LeaderStore zk, Leadership leadership, NodeOps ops, BackendConfigReapply params) {
}
