package org.mptcp4j.api;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mptcp4j.net.driver.SansIoEndpoint;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * Adapts the core {@link Stack} to the reactor and routes its application events to the waiting
 * sockets. Reactor thread only, except the maps, which sockets register into from reactor requests.
 */
final class StackEndpoint implements SansIoEndpoint {
    private final Stack stack;
    /** The gso size of the packet the last pollTransmit wrote (reactor thread only). */
    private int lastGsoSize;
    private final Map<ConnHandle, ConnState> connections = new HashMap<>();
    private final Map<ListenerHandle, Waiter> listeners = new HashMap<>();
    /** Everything waiting, so that a stopped driver can wake them all. */
    private final Map<Waiter, Boolean> allWaiters = new ConcurrentHashMap<>();
    private volatile Throwable stopCause;
    private volatile boolean stopped;

    StackEndpoint(Stack stack) {
        this.stack = stack;
    }

    Stack stack() {
        return stack;
    }

    boolean isStopped() {
        return stopped;
    }

    Throwable stopCause() {
        return stopCause;
    }

    /** Reactor thread. */
    ConnState register(ConnHandle h) {
        ConnState s = new ConnState(h);
        connections.put(h, s);
        allWaiters.put(s.waiter, Boolean.TRUE);
        return s;
    }

    /** Reactor thread. */
    void forget(ConnHandle h) {
        ConnState s = connections.remove(h);
        if (s != null) {
            allWaiters.remove(s.waiter);
        }
    }

    /** Reactor thread. */
    Waiter registerListener(ListenerHandle l) {
        Waiter w = new Waiter();
        listeners.put(l, w);
        allWaiters.put(w, Boolean.TRUE);
        return w;
    }

    /** Reactor thread. */
    void forgetListener(ListenerHandle l) {
        Waiter w = listeners.remove(l);
        if (w != null) {
            allWaiters.remove(w);
        }
    }

    @Override
    public void handleInbound(long nowNanos, ByteBuffer ipPacket) {
        stack.handleInbound(nowNanos, ipPacket);
    }

    @Override
    public void handleInbound(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        stack.handleInbound(nowNanos, ipPacket, checksumValidated);
    }

    @Override
    public void handleTimeout(long nowNanos) {
        stack.handleTimeout(nowNanos);
    }

    @Override
    public boolean pollTransmit(long nowNanos, ByteBuffer out) {
        org.mptcp4j.stack.Transmit t = stack.pollTransmit(nowNanos, out);
        lastGsoSize = t == null ? 0 : t.gsoSize();
        return t != null;
    }

    @Override
    public int lastTransmitGsoSize() {
        return lastGsoSize;
    }

    @Override
    public void setSegmentationOffload(int maxPacketBytes) {
        stack.setSegmentationOffload(maxPacketBytes);
    }

    @Override
    public long pollTimeout() {
        return stack.pollTimeout();
    }

    @Override
    public void dispatchEvents(long nowNanos) {
        StackEvent e;
        while ((e = stack.pollEvent()) != null) {
            switch (e) {
                case StackEvent.Incoming(ListenerHandle l) -> signalListener(l);
                case StackEvent.Connected(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        s.connected = true;
                        s.waiter.signal();
                    }
                }
                case StackEvent.Readable(ConnHandle c) -> signal(c);
                case StackEvent.Writable(ConnHandle c) -> signal(c);
                case StackEvent.PeerClosed(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        s.peerClosed = true;
                        s.waiter.signal();
                    }
                }
                case StackEvent.Reset(ConnHandle c, var reason) -> fail(c, reason, false);
                case StackEvent.ConnectFailed(ConnHandle c, var reason) -> fail(c, reason, true);
                case StackEvent.Closed(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        s.waiter.signal();
                    }
                }
            }
        }
    }

    private void fail(ConnHandle c, org.mptcp4j.stack.ResetReason reason, boolean duringConnect) {
        ConnState s = connections.get(c);
        if (s != null) {
            if (s.failure == null) {
                s.failure = reason;
            }
            s.connectFailed |= duringConnect;
            s.waiter.signal();
        }
    }

    private void signal(ConnHandle c) {
        ConnState s = connections.get(c);
        if (s != null) {
            s.waiter.signal();
        }
    }

    private void signalListener(ListenerHandle l) {
        Waiter w = listeners.get(l);
        if (w != null) {
            w.signal();
        }
    }

    @Override
    public void onDriverStopped(Throwable cause) {
        stopCause = cause;
        stopped = true;
        for (Waiter w : allWaiters.keySet()) {
            w.signal();
        }
    }
}
