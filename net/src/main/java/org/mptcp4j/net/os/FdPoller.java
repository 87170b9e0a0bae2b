package org.mptcp4j.net.os;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Waits, with nanosecond timeouts ({@code ppoll(2)}), until a data file descriptor is readable or a
 * {@link Wakeup} fires. Owned by one reactor thread; allocates nothing per wait.
 */
public final class FdPoller implements AutoCloseable {
    /** What a wait ended with; a wait can end with both at once. */
    public static final int READABLE = 1;
    public static final int WOKEN = 2;

    private static final long POLLFD_SIZE = 8;

    private final Arena arena = Arena.ofShared();
    private final MemorySegment fds = arena.allocate(2 * POLLFD_SIZE, 8);
    private final MemorySegment timespec = arena.allocate(16, 8);
    private final MemorySegment errno = Libc.newErrnoSegment(arena);
    private final Wakeup wakeup;

    public FdPoller(int dataFd, Wakeup wakeup) {
        this.wakeup = wakeup;
        fds.set(ValueLayout.JAVA_INT, 0, dataFd);
        fds.set(ValueLayout.JAVA_SHORT, 4, Libc.POLLIN);
        fds.set(ValueLayout.JAVA_INT, POLLFD_SIZE, wakeup.fd());
        fds.set(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 4, Libc.POLLIN);
    }

    /**
     * Blocks for at most {@code timeoutNanos} ({@code < 0}: without limit). Returns a bit set of
     * {@link #READABLE} and {@link #WOKEN}, 0 on timeout or signal interruption.
     */
    public int await(long timeoutNanos) throws IOException {
        fds.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
        fds.set(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 6, (short) 0);
        MemorySegment timeout = MemorySegment.NULL;
        if (timeoutNanos >= 0) {
            timespec.set(ValueLayout.JAVA_LONG, 0, timeoutNanos / 1_000_000_000L);
            timespec.set(ValueLayout.JAVA_LONG, 8, timeoutNanos % 1_000_000_000L);
            timeout = timespec;
        }
        int n = Libc.ppoll(errno, fds, 2, timeout);
        if (n < 0) {
            int e = Libc.errno(errno);
            if (e == Libc.EINTR) {
                return 0;
            }
            throw new NativeIoException("ppoll", e);
        }
        int result = 0;
        short dataEvents = fds.get(ValueLayout.JAVA_SHORT, 6);
        if ((dataEvents & (Libc.POLLIN | Libc.POLLERR | Libc.POLLHUP)) != 0) {
            result |= READABLE;
        }
        if ((fds.get(ValueLayout.JAVA_SHORT, POLLFD_SIZE + 6) & Libc.POLLIN) != 0) {
            wakeup.drain();
            result |= WOKEN;
        }
        return result;
    }

    @Override
    public void close() {
        arena.close();
    }
}
