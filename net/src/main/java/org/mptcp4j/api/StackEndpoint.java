package org.mptcp4j.api;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.mptcp4j.net.driver.StackDrivenEndpoint;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.ResetReason;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackEvent;

/**
 * Adapts the core {@link Stack} to the reactor and moves bytes between the stack and the sockets'
 * stages ({@link ConnState}). Reactor thread only, except {@link #isStopped} and the set of
 * waiters that a stopping driver wakes.
 *
 * <p>Events are taken from the stack right after each input ({@link #handleInbound},
 * {@link #handleTimeout}), while the connection they name is still in the stack: a reset's final
 * statistics are snapshotted then (the stack forgets a reset connection at its next
 * {@code pollTransmit}). Bytes move once per turn, in {@link #dispatchEvents}, for every connection
 * an event named, and whenever a socket asks ({@link #drain}, {@link #pull}).
 */
final class StackEndpoint extends StackDrivenEndpoint {
    /** The reactor's clock: the stack's time must not run backwards between the driver's calls and ours. */
    private java.util.function.LongSupplier clock = System::nanoTime;
    private final Map<ConnHandle, ConnState> connections = new HashMap<>();
    private final Map<ListenerHandle, Waiter> listeners = new HashMap<>();
    /** Connections an event named in this turn, to pump in {@link #dispatchEvents}. */
    private final ArrayDeque<ConnState> touched = new ArrayDeque<>();
    /** Closed by the application while bytes still wait in their send stage. */
    private int closingWithStagedBytes;
    /** Everything waiting, so that a stopped driver can wake them all. */
    private final Map<Object, Boolean> allWaiters = new ConcurrentHashMap<>();
    private volatile Throwable stopCause;
    private volatile boolean stopped;

    StackEndpoint(Stack stack) {
        super(stack);
    }

    /** The driver whose turn clock this endpoint reads (set once, before the driver starts). */
    void attach(org.mptcp4j.net.driver.RealTimeDriver driver) {
        this.clock = driver::nowNanos;
    }

    boolean isStopped() {
        return stopped;
    }

    Throwable stopCause() {
        return stopCause;
    }

    /** Connections closed by their application whose staged bytes have not all reached the stack. */
    int closingWithStagedBytes() {
        return closingWithStagedBytes;
    }

    /** Reactor thread. */
    ConnState register(ConnHandle h, int sendStageBytes, int recvStageBytes) {
        ConnState s = new ConnState(h, sendStageBytes, recvStageBytes);
        connections.put(h, s);
        allWaiters.put(s, Boolean.TRUE);
        return s;
    }

    /** Reactor thread. */
    void forget(ConnHandle h) {
        ConnState s = connections.remove(h);
        if (s != null) {
            allWaiters.remove(s);
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
    protected void afterInput() {
        takeEvents();
    }

    @Override
    public void dispatchEvents(long nowNanos) {
        takeEvents();
        ConnState s;
        while ((s = touched.poll()) != null) {
            s.touched = false;
            pump(s);
        }
    }

    /** Takes the stack's pending events: flags on the connections, which are pumped at the end of the turn. */
    private void takeEvents() {
        StackEvent e;
        while ((e = stack.pollEvent()) != null) {
            switch (e) {
                case StackEvent.Incoming(ListenerHandle l) -> {
                    Waiter w = listeners.get(l);
                    if (w != null) {
                        w.incoming.incrementAndGet();
                        w.signal();
                    }
                }
                case StackEvent.Connected(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        s.lock.lock();
                        try {
                            s.connected = true;
                            s.stateChanged = true;
                        } finally {
                            s.lock.unlock();
                        }
                        touch(s);
                    }
                }
                case StackEvent.Readable(ConnHandle c) -> touch(connections.get(c));
                case StackEvent.Writable(ConnHandle c) -> touch(connections.get(c));
                case StackEvent.PeerClosed(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        snapshot(s);
                        markChanged(s);
                        touch(s);
                    }
                }
                case StackEvent.Reset(ConnHandle c, var reason) -> fail(c, reason, false);
                case StackEvent.ConnectFailed(ConnHandle c, var reason) -> fail(c, reason, true);
                case StackEvent.Closed(ConnHandle c) -> {
                    ConnState s = connections.get(c);
                    if (s != null) {
                        markChanged(s);
                        touch(s);
                    }
                }
            }
        }
    }

    private void fail(ConnHandle c, ResetReason reason, boolean duringConnect) {
        ConnState s = connections.get(c);
        if (s == null) {
            return;
        }
        snapshot(s);
        s.lock.lock();
        try {
            if (s.failure == null) {
                s.failure = reason;
            }
            s.connectFailed |= duringConnect;
            s.stateChanged = true;
        } finally {
            s.lock.unlock();
        }
        touch(s);
    }

    private static void markChanged(ConnState s) {
        s.lock.lock();
        try {
            s.stateChanged = true;
        } finally {
            s.lock.unlock();
        }
    }

    /** Keeps the connection's statistics for after the stack forgets it (in a driver turn). */
    void snapshot(ConnState s) {
        var info = stack.info(s.handle);
        var mptcpInfo = stack.mptcpInfo(s.handle);
        s.lock.lock();
        try {
            if (info != null) {
                s.lastInfo = info;
            }
            if (mptcpInfo != null) {
                s.lastMptcpInfo = mptcpInfo;
            }
        } finally {
            s.lock.unlock();
        }
    }

    private void touch(ConnState s) {
        if (s != null && !s.touched) {
            s.touched = true;
            touched.add(s);
        }
    }

    /** A socket's request: move its send stage into the stack (in a driver turn). */
    void drain(ConnState s) {
        s.lock.lock();
        try {
            s.drainScheduled = false; // a write from now on asks again; this drain takes what is staged so far
        } finally {
            s.lock.unlock();
        }
        pump(s);
    }

    /** A socket's request: refill its receive stage from the stack (in a driver turn). */
    void pull(ConnState s) {
        s.lock.lock();
        try {
            s.pullScheduled = false;
        } finally {
            s.lock.unlock();
        }
        pump(s);
    }

    /** Moves bytes both ways between the stages and the stack, then wakes the socket's threads. */
    private void pump(ConnState s) {
        long now = clock.getAsLong();
        boolean wake;
        s.lock.lock();
        try {
            int sendFreeBefore = s.sendStage.free();
            int received = s.recvStage.size();
            boolean eof = s.eof;
            boolean writeFailed = s.writeFailed;
            if (!s.released) {
                moveOut(s, now);
                moveIn(s, now);
            }
            // Wake the socket's threads only for what they wait for: bytes to read, the end of the
            // stream, a state change, or half the send stage free again (a writer woken for every
            // ACK's worth of room would cost a thread switch per ACK).
            int lowWater = s.sendStage.capacity() / 2;
            wake = s.stateChanged || s.recvStage.size() > received || s.eof != eof || s.writeFailed != writeFailed
                    || sendFreeBefore < lowWater && s.sendStage.free() >= lowWater;
            s.stateChanged = false;
            s.sendIdle = s.sendStage.size() == 0 && stack.sendQueued(s.handle) == 0;
            if (wake) {
                s.changed.signalAll();
            }
        } finally {
            s.lock.unlock();
        }
        if (wake) {
            s.notifyWatchers(); // outside the lock: a selector takes its own lock, then this one
        }
    }

    private void moveOut(ConnState s, long now) {
        ByteStage stage = s.sendStage;
        while (stage.size() > 0 && !s.writeFailed) {
            int n = stack.write(now, s.handle, stage.readableChunk());
            if (n < 0) {
                s.writeFailed = true; // reset or closed underneath: the bytes can never leave
                stage.clear();
            } else if (n == 0) {
                s.stackFull = true; // the stack's send buffer is full: its Writable event brings us back
                return;
            } else {
                stage.consume(n);
            }
        }
        s.stackFull = false;
        switch (s.finAfterDrain) {
            case NONE -> { }
            case SHUTDOWN -> {
                s.finAfterDrain = ConnState.Fin.NONE;
                stack.shutdownOutput(now, s.handle);
            }
            case CLOSE -> {
                s.finAfterDrain = ConnState.Fin.NONE;
                closingWithStagedBytes--;
                release(s, now, false);
            }
        }
    }

    private void moveIn(ConnState s, long now) {
        if (s.eof || !s.connected) {
            return;
        }
        ByteStage stage = s.recvStage;
        while (stage.free() > 0) {
            int n = stack.read(now, s.handle, stage.writableChunk());
            if (n < 0) {
                s.eof = true;
                takeEvents(); // a reset's event, if that is why the stream ended, before a reader looks
                break;
            }
            if (n == 0) {
                break;
            }
            stage.produced(n);
            if (s.inputShut) {
                stage.clear(); // shutdownInput: what arrives is discarded, as Linux does
            }
        }
        s.stackHasMore = stage.free() == 0;
    }

    /**
     * The application closes (graceful: after the staged bytes) or aborts (at once, staged bytes
     * dropped); in a driver turn. The statistics are kept first: the stack forgets the handle.
     */
    void close(ConnState s, boolean abort) {
        long now = clock.getAsLong();
        snapshot(s);
        s.lock.lock();
        try {
            if (s.released) {
                return;
            }
            if (!abort) {
                moveOut(s, now);
                if (s.sendStage.size() > 0 && !s.writeFailed) {
                    if (s.finAfterDrain != ConnState.Fin.CLOSE) {
                        s.finAfterDrain = ConnState.Fin.CLOSE;
                        closingWithStagedBytes++;
                    }
                    return;
                }
            } else if (s.finAfterDrain == ConnState.Fin.CLOSE) {
                closingWithStagedBytes--;
                s.finAfterDrain = ConnState.Fin.NONE;
            }
            s.sendStage.clear();
            release(s, now, abort);
        } finally {
            s.lock.unlock();
        }
    }

    /** Half-close after the staged bytes (in a driver turn). */
    void shutdownOutput(ConnState s) {
        long now = clock.getAsLong();
        s.lock.lock();
        try {
            if (s.released) {
                return;
            }
            moveOut(s, now);
            if (s.sendStage.size() > 0 && !s.writeFailed) {
                s.finAfterDrain = ConnState.Fin.SHUTDOWN;
            } else {
                stack.shutdownOutput(now, s.handle);
            }
        } finally {
            s.lock.unlock();
        }
    }

    private void release(ConnState s, long now, boolean abort) {
        if (abort) {
            stack.abort(now, s.handle);
        } else {
            stack.close(now, s.handle);
        }
        s.released = true;
        forget(s.handle);
        s.changed.signalAll();
    }

    @Override
    public void onDriverStopped(Throwable cause) {
        stopCause = cause;
        stopped = true;
        for (Object w : allWaiters.keySet()) {
            if (w instanceof Waiter waiter) {
                waiter.signal();
            } else if (w instanceof ConnState s) {
                s.signal();
            }
        }
    }
}
