package org.mptcp4j.api;

import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where application threads wait for the reactor: a change counter under a
 * {@link ReentrantLock}/{@link Condition} (virtual threads park on it without pinning a carrier).
 * The reactor bumps the counter on every event for the connection or listener; a waiter remembers
 * the counter before it asks the stack, and sleeps only if nothing happened since, so no wake-up
 * is lost between asking and sleeping.
 */
final class Waiter {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private long changes;
    /** Incoming connections announced and not yet taken (an estimate: one may be reset before accept). */
    final java.util.concurrent.atomic.AtomicInteger incoming = new java.util.concurrent.atomic.AtomicInteger();
    /** Selectors to poke on a signal. */
    final java.util.concurrent.CopyOnWriteArrayList<Runnable> watchers = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The counter now; pass it to {@link #awaitChange}. */
    long changes() {
        lock.lock();
        try {
            return changes;
        } finally {
            lock.unlock();
        }
    }

    /** Reactor side: something happened. */
    void signal() {
        lock.lock();
        try {
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (Runnable w : watchers) {
            w.run();
        }
    }

    /**
     * Blocks until the counter differs from {@code seen}, or until {@code deadlineNanos}
     * ({@code 0}: no deadline), which throws {@link SocketTimeoutException} with {@code what}.
     */
    void awaitChange(long seen, long deadlineNanos, String what) throws InterruptedIOException {
        lock.lock();
        try {
            while (changes == seen) {
                if (deadlineNanos == 0) {
                    changed.await();
                } else {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        throw new SocketTimeoutException(what + " timed out");
                    }
                    changed.await(left, TimeUnit.NANOSECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException(what + " interrupted");
            io.initCause(e);
            throw io;
        } finally {
            lock.unlock();
        }
    }

    /** The deadline for a timeout in milliseconds ({@code 0}: none), java.net style. */
    static long deadline(int timeoutMillis) {
        return timeoutMillis <= 0 ? 0 : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }
}
