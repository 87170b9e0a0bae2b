package org.mptcp4j.stack;

import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.wire.IpHeader;

/**
 * A connection and what the stack knows about it; its slot in the stack's {@link DeadlineHeap} (keyed by
 * {@link TcpConnection#nextDeadline()}) is the inherited {@code heapIndex}.
 */
final class StackEntry extends DeadlineHeap.Node {
    final ConnHandle handle;
    final FourTuple key;
    final TcpConnection conn;
    final IpHeader ipHeader;
    /** Set while a passive connection waits on its listener's queues. */
    StackListener listener;
    /** The application holds the handle (active open, or accepted). */
    boolean visible;
    /** The application closed or aborted: it sees no more events but Closed. */
    boolean appReleased;
    boolean inDirty;
    /** In the stack's tables (from register until release removes it); only then in the timer queue. */
    boolean registered;

    StackEntry(ConnHandle handle, FourTuple key, TcpConnection conn, IpHeader ipHeader) {
        this.handle = handle;
        this.key = key;
        this.conn = conn;
        this.ipHeader = ipHeader;
    }
}

