package org.mptcp4j.api;

import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ResetReason;

/**
 * What the application side knows about one connection, written by the reactor as events arrive
 * and read by socket threads after {@link Waiter#awaitChange}. Fields are volatile: the reactor
 * writes, any thread reads.
 */
final class ConnState {
    final ConnHandle handle;
    final Waiter waiter = new Waiter();
    volatile boolean connected;
    volatile boolean peerClosed;
    /** Set once by Reset or ConnectFailed. */
    volatile ResetReason failure;
    volatile boolean connectFailed;

    ConnState(ConnHandle handle) {
        this.handle = handle;
    }
}
