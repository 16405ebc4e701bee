/** The operator's CLI and the cluster controller. */
package io.kvstore.admin;
