package org.mptcp4j.net.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An {@code eventfd(2)} that application threads signal to wake a reactor blocked in
 * {@code ppoll}. Signals coalesce: while one is pending, further {@link #signal()} calls do no
 * system call.
 */
public final class Wakeup implements AutoCloseable {
    private static final int EFD_NONBLOCK = 0x800;
    private static final int EFD_CLOEXEC = 0x80000;

    private final Arena arena = Arena.ofShared();
    private final int fd;
    private final AtomicBoolean pending = new AtomicBoolean();
    private final ReentrantLock signalLock = new ReentrantLock();
    private final MemorySegment signalErrno = Libc.newErrnoSegment(arena);
    private final MemorySegment signalValue = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment drainErrno = Libc.newErrnoSegment(arena);
    private final MemorySegment drainValue = arena.allocate(ValueLayout.JAVA_LONG);

    public Wakeup() throws IOException {
        int f = Libc.eventfd(signalErrno, 0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (f < 0) {
            arena.close();
            throw new NativeIoException("eventfd", Libc.errno(signalErrno));
        }
        fd = f;
        signalValue.set(ValueLayout.JAVA_LONG, 0, 1L);
    }

    public int fd() {
        return fd;
    }

    /** Wakes the reactor; safe from any thread, platform or virtual. */
    public void signal() {
        if (!pending.compareAndSet(false, true)) {
            return;
        }
        signalLock.lock();
        try {
            // A full counter (EAGAIN) still leaves the fd readable, which is all a wakeup needs.
            Libc.write(signalErrno, fd, signalValue, 8);
        } finally {
            signalLock.unlock();
        }
    }

    /** Called by the reactor after a wake-up, before it looks at its command queue. */
    public void drain() {
        // Read first, then clear: a signal racing with us either finds pending still set (and its
        // request is seen by the turn that follows this drain) or writes a fresh value after it.
        Libc.read(drainErrno, fd, drainValue, 8);
        pending.set(false);
    }

    @Override
    public void close() {
        Libc.close(drainErrno, fd);
        arena.close();
    }
}
