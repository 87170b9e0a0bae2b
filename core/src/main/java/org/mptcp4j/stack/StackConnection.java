package org.mptcp4j.stack;

import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.tcp.TcpConnection;

/**
 * What the stack knows about one application connection (an {@link MptcpConnection}, plain TCP
 * being its fallback case): its handle, its subflows' entries, and where the application stands
 * with it. Its slot in the stack's {@link DeadlineHeap} of connection-level timers is the inherited
 * {@code heapIndex}.
 */
final class StackConnection extends DeadlineHeap.Node {
    final ConnHandle handle;
    final MptcpConnection mptcp;
    final List<StackEntry> subflows = new ArrayList<>(2);
    /** Set while a passive connection waits on its listener's queues. */
    StackListener listener;
    /** The application holds the handle (active open, or accepted). */
    boolean visible;
    /** The application closed or aborted: it sees no more events but Closed. */
    boolean appReleased;
    /** Connected (or Incoming) was reported: a later failure is a reset, not a failed connect. */
    boolean established;
    /** In the stack's table of handles (from register until release). */
    boolean registered;
    /** The last subflow's TCP connection once all have left, for {@code info} on a closed handle. */
    TcpConnection lastTcp;
    /** Nagle's algorithm for every subflow, present and future (TCP_NODELAY per socket). */
    boolean nagle;

    StackConnection(ConnHandle handle, MptcpConnection mptcp) {
        this.handle = handle;
        this.mptcp = mptcp;
    }
}
