package org.mptcp4j.api;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.IllegalSelectorException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.spi.AbstractSelectableChannel;
import java.nio.channels.spi.AbstractSelectionKey;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;
import java.util.Collections;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Selector} for mptcp4j channels ({@link MptcpSocketChannel}, {@link MptcpServerSocketChannel}),
 * from {@link MptcpSelectorProvider}. Readiness is level-triggered and computed from the channels'
 * state when a select runs; the reactor pokes the selector whenever it changed a watched channel,
 * so a select sleeps until something happened, its timeout, {@link #wakeup()} or an interrupt.
 * It cannot watch JDK channels (nor a JDK selector ours).
 */
final class MptcpSelector extends AbstractSelector {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Bumped by every poke; a select sleeps only if it has not moved since it looked. Guarded by lock. */
    private long changes;
    /** A wakeup() not yet consumed by a select. Guarded by lock. */
    private boolean wakeupPending;
    private final Set<MptcpSelectionKey> keys = ConcurrentHashMap.newKeySet();
    private final Set<SelectionKey> publicKeys = Collections.unmodifiableSet(keys);
    private final Set<SelectionKey> selected = new HashSet<>();
    private final Runnable poke = this::poke;

    MptcpSelector(SelectorProvider provider) {
        super(provider);
    }

    @Override
    protected SelectionKey register(AbstractSelectableChannel ch, int ops, Object attachment) {
        if (!(ch instanceof MptcpChannel source)) {
            throw new IllegalSelectorException();
        }
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
        MptcpSelectionKey k = new MptcpSelectionKey(ch, source, this);
        k.attach(attachment);
        keys.add(k);
        source.addWatcher(poke);
        k.interestOps(ops);
        return k;
    }

    @Override
    public Set<SelectionKey> keys() {
        ensureOpen();
        return publicKeys;
    }

    @Override
    public Set<SelectionKey> selectedKeys() {
        ensureOpen();
        return selected;
    }

    @Override
    public int selectNow() throws IOException {
        return doSelect(-1);
    }

    @Override
    public int select(long timeoutMillis) throws IOException {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("Negative timeout");
        }
        return doSelect(timeoutMillis);
    }

    @Override
    public int select() throws IOException {
        return doSelect(0);
    }

    /** {@code timeoutMillis}: -1 do not wait, 0 wait without limit. */
    private int doSelect(long timeoutMillis) throws IOException {
        ensureOpen();
        long deadline = timeoutMillis > 0 ? System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis) : 0;
        while (true) {
            long seen;
            boolean woken;
            lock.lock();
            try {
                seen = changes;
                woken = wakeupPending;
                wakeupPending = false;
            } finally {
                lock.unlock();
            }
            removeCancelled();
            int n = scan();
            if (n > 0 || woken || timeoutMillis < 0 || !isOpen() || Thread.currentThread().isInterrupted()) {
                return n;
            }
            boolean timedOut;
            begin(); // an interrupt calls wakeup()
            try {
                timedOut = await(seen, deadline);
            } finally {
                end();
            }
            if (timedOut) {
                removeCancelled();
                return scan();
            }
        }
    }

    /** Waits for a poke or wakeup after {@code seen}; true when the deadline passed first. */
    private boolean await(long seen, long deadline) {
        lock.lock();
        try {
            while (changes == seen && !wakeupPending) {
                if (deadline == 0) {
                    changed.await();
                } else {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return true;
                    }
                    changed.awaitNanos(left);
                }
            }
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // select returns; the interrupt stays set, as the JDK's does
            return false;
        } finally {
            lock.unlock();
        }
    }

    /** Adds keys that became ready to the selected set; the count of keys added or updated. */
    private int scan() {
        int n = 0;
        for (MptcpSelectionKey k : keys) {
            if (!k.isValid()) {
                continue;
            }
            int ready = k.source.readyOps() & k.interestOps();
            if (ready == 0) {
                continue;
            }
            if (selected.contains(k)) {
                int before = k.readyOps();
                if ((before | ready) != before) {
                    k.setReadyOps(before | ready);
                    n++;
                }
            } else {
                k.setReadyOps(ready);
                selected.add(k);
                n++;
            }
        }
        return n;
    }

    private void removeCancelled() {
        Set<SelectionKey> cancelled = cancelledKeys();
        synchronized (cancelled) {
            for (SelectionKey k : cancelled) {
                MptcpSelectionKey key = (MptcpSelectionKey) k;
                keys.remove(key);
                selected.remove(key);
                key.source.removeWatcher(poke);
                deregister((AbstractSelectionKey) k);
            }
            cancelled.clear();
        }
    }

    /** Something about a watched channel changed: a sleeping select looks again. */
    void poke() {
        lock.lock();
        try {
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Selector wakeup() {
        lock.lock();
        try {
            wakeupPending = true;
            changes++;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        return this;
    }

    @Override
    protected void implCloseSelector() {
        wakeup();
        for (MptcpSelectionKey k : keys) {
            k.source.removeWatcher(poke);
            deregister(k);
        }
        keys.clear();
        selected.clear();
    }

    private void ensureOpen() {
        if (!isOpen()) {
            throw new ClosedSelectorException();
        }
    }
}
