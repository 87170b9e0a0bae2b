package org.mptcp4j.stack;

import java.net.InetAddress;
import java.util.ArrayDeque;

/** A listening socket: its address, backlog and accept queue (Linux: the listener's request and accept queues). */
final class StackListener {
    final ListenerHandle handle;
    final InetAddress address;
    final int port;
    final int backlog;
    /** Children not yet accepted: half-open plus established (Linux counts both against the backlog). */
    int pending;
    final ArrayDeque<StackConnection> acceptQueue = new ArrayDeque<>();

    StackListener(ListenerHandle handle, InetAddress address, int port, int backlog) {
        this.handle = handle;
        this.address = address;
        this.port = port;
        this.backlog = backlog;
    }
}

