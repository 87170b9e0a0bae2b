package org.mptcp4j.stack;

import org.mptcp4j.tcp.TcpConnection;
import org.mptcp4j.wire.IpHeader;

/**
 * One TCP connection of the stack (a subflow, or a plain connection) under its 4-tuple; its slot in
 * the stack's {@link DeadlineHeap} of subflow timers (keyed by {@link TcpConnection#nextDeadline()})
 * is the inherited {@code heapIndex}.
 */
final class StackEntry extends DeadlineHeap.Node implements DeviceCharge {
    final StackConnection owner;
    final FourTuple key;
    final TcpConnection conn;
    final IpHeader ipHeader;
    /** Creation order: subflows due at the same time run in it. */
    final long order;
    boolean inDirty;
    /** In the stack's tables (from register until release removes it); only then in the timer queue. */
    boolean registered;

    StackEntry(StackConnection owner, FourTuple key, TcpConnection conn, IpHeader ipHeader, long order) {
        this.owner = owner;
        this.key = key;
        this.conn = conn;
        this.ipHeader = ipHeader;
        this.order = order;
    }
}
