package org.mptcp4j.api;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.ResetReason;

/**
 * One connection as the application and the reactor share it: the two byte stages (writes wait in
 * {@link #sendStage} until the reactor moves them into the stack; the reactor fills
 * {@link #recvStage} from the stack and reads take from it, without a round trip to the reactor),
 * what the reactor learnt from the stack's events, and the last snapshots of the connection's
 * statistics, which outlive the connection.
 *
 * <p>Every field is guarded by {@link #lock}; application threads wait on {@link #changed}, which
 * the reactor signals (a {@link ReentrantLock}, so that virtual threads park without pinning their
 * carrier). The reactor holds the lock only to copy bytes and flip flags.
 */
final class ConnState {
    final ConnHandle handle;
    final ReentrantLock lock = new ReentrantLock();
    final Condition changed = lock.newCondition();

    final ByteStage sendStage;
    final ByteStage recvStage;
    /** A request to move {@link #sendStage} into the stack is queued on the reactor. */
    boolean drainScheduled;
    /** A request to refill {@link #recvStage} from the stack is queued on the reactor. */
    boolean pullScheduled;
    /** The reactor left readable bytes in the stack because {@link #recvStage} was full. */
    boolean stackHasMore;
    /** The reactor's last move stopped at a full stack send buffer: the stack's Writable event, not a request, resumes it. */
    boolean stackFull;
    /**
     * The stack held nothing unacknowledged of this connection when last pumped: a write then
     * moves its bytes into the stack on the writer's thread, since they leave at once; otherwise
     * the reactor takes them with the ACK that frees them, one hand-off per batch.
     */
    boolean sendIdle = true;
    /** An event changed the connection's state (connected, peer closed, reset, closed): wake its threads. */
    boolean stateChanged;
    /** The stack's read said the stream ended (FIN, or a reset): nothing more arrives. */
    boolean eof;
    /** The stack refused a write: the connection cannot send any more. */
    boolean writeFailed;

    boolean connected;
    /** Set once, by Reset or ConnectFailed. */
    ResetReason failure;
    boolean connectFailed;

    /** The application closed the socket: blocked and later calls throw "Socket closed". */
    boolean appClosed;
    boolean outputShut;
    boolean inputShut;
    /** What to do once {@link #sendStage} is empty: {@link Fin#SHUTDOWN} or {@link Fin#CLOSE}. */
    Fin finAfterDrain = Fin.NONE;
    /** The stack no longer knows the handle (closed or aborted by the application). */
    boolean released;

    ConnectionInfo lastInfo;
    MptcpInfo lastMptcpInfo;

    /** Selectors to poke when the reactor changed something (outside {@link #lock}). */
    final java.util.concurrent.CopyOnWriteArrayList<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Reactor-only: queued for the end of the turn's {@code dispatchEvents}. */
    boolean touched;

    enum Fin { NONE, SHUTDOWN, CLOSE }

    ConnState(ConnHandle handle, int sendStageBytes, int recvStageBytes) {
        this.handle = handle;
        this.sendStage = new ByteStage(sendStageBytes);
        this.recvStage = new ByteStage(recvStageBytes);
    }

    /**
     * Waits on {@link #changed} (the lock held) until signalled or {@code deadlineNanos} ({@code 0}:
     * none), which throws {@link SocketTimeoutException} "{@code what} timed out".
     */
    void await(long deadlineNanos, String what) throws InterruptedIOException {
        try {
            if (deadlineNanos == 0) {
                changed.await();
                return;
            }
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException(what + " timed out");
            }
            changed.await(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException(what + " interrupted");
            io.initCause(e);
            throw io;
        }
    }

    /** Wakes every thread waiting on this connection, and its selectors. */
    void signal() {
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        notifyWatchers();
    }

    void notifyWatchers() {
        for (Runnable w : watchers) {
            w.run();
        }
    }
}
