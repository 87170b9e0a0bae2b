package org.mptcp4j.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.net.os.Libc;
import org.mptcp4j.net.os.SocketCalls;
import org.mptcp4j.stack.ResetReason;

/**
 * One kernel socket descriptor of the kernel engine, and the rule that makes closing it from
 * another thread safe: {@link #close()} shuts the socket down at once, which wakes every thread
 * blocked on it in {@code recv}, {@code send}, {@code accept} or {@code ppoll}, and releases the
 * descriptor only when the last of them left ({@link #begin()}/{@link #end()}), so a number the
 * kernel hands out again is never read by a late caller. (The JDK's NioSocketImpl also wakes
 * blocked threads before it releases its descriptor.)
 *
 * <p>Errors become java.net's exceptions ({@link #failure}).
 */
final class KernelFd {
    /** Bytes one {@code recv}/{@code send} moves at most; each direction has its own native buffer. */
    static final int IO_CHUNK_BYTES = 64 << 10;

    final int fd;
    /** IPPROTO_MPTCP, or IPPROTO_TCP when the kernel refused MPTCP (or MPTCP was not asked for). */
    final int protocol;
    /** Why the socket is plain TCP although MPTCP was asked for (the kernel's errno text); null otherwise. */
    final String fallbackReason;
    private final Arena arena = Arena.ofShared();
    final MemorySegment readBuffer = arena.allocate(IO_CHUNK_BYTES);
    final MemorySegment writeBuffer = arena.allocate(IO_CHUNK_BYTES);
    final MemorySegment readErrno = Libc.newErrnoSegment(arena);
    final MemorySegment writeErrno = Libc.newErrnoSegment(arena);
    private final ReentrantLock lock = new ReentrantLock();
    private int users;
    private boolean closed;
    private boolean released;

    private KernelFd(int fd, int protocol, String fallbackReason) {
        this.fd = fd;
        this.protocol = protocol;
        this.fallbackReason = fallbackReason;
    }

    /** A descriptor the kernel gave us (an accepted connection). */
    static KernelFd adopt(int fd, int protocol) {
        return new KernelFd(fd, protocol, null);
    }

    /**
     * {@code socket(family, SOCK_STREAM, IPPROTO_MPTCP)}, or a TCP socket when the kernel has no
     * MPTCP: built without it (EPROTONOSUPPORT), MPTCP disabled by {@code net.mptcp.enabled=0}
     * (ENOPROTOOPT) or refused for this family (EINVAL, EAFNOSUPPORT). Go's net package falls back
     * on the same errors.
     */
    static KernelFd open(int family, boolean mptcp) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(a);
            int type = SocketCalls.SOCK_STREAM | SocketCalls.SOCK_CLOEXEC;
            String fallback = null;
            if (mptcp) {
                int fd = Libc.socket(errno, family, type, SocketCalls.IPPROTO_MPTCP);
                if (fd >= 0) {
                    return new KernelFd(fd, SocketCalls.IPPROTO_MPTCP, null);
                }
                int e = Libc.errno(errno);
                if (e != SocketCalls.EPROTONOSUPPORT && e != SocketCalls.ENOPROTOOPT && e != SocketCalls.EINVAL
                        && e != SocketCalls.EAFNOSUPPORT) {
                    throw failure("socket", e);
                }
                fallback = "socket(IPPROTO_MPTCP): " + Libc.strerror(e);
            }
            int fd = Libc.socket(errno, family, type, SocketCalls.IPPROTO_TCP);
            if (fd < 0) {
                throw failure("socket", Libc.errno(errno));
            }
            return new KernelFd(fd, SocketCalls.IPPROTO_TCP, fallback);
        }
    }

    boolean isMptcp() {
        return protocol == SocketCalls.IPPROTO_MPTCP;
    }

    /** Enters a call on the descriptor; "Socket closed" once {@link #close()} began. Pair with {@link #end()}. */
    void begin() throws SocketException {
        lock.lock();
        try {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            users++;
        } finally {
            lock.unlock();
        }
    }

    void end() {
        lock.lock();
        try {
            users--;
            if (closed && users == 0) {
                release();
            }
        } finally {
            lock.unlock();
        }
    }

    boolean isClosed() {
        lock.lock();
        try {
            return closed;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Closes at once when no thread is in a call on the socket (a reset if SO_LINGER is 0);
     * otherwise wakes them with {@code shutdown(SHUT_RDWR)}, which also sends FIN, and closes when
     * the last has left.
     */
    void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (users > 0) {
                try (Arena a = Arena.ofConfined()) {
                    SocketCalls.shutdown(Libc.newErrnoSegment(a), fd, SocketCalls.SHUT_RDWR);
                }
            } else {
                release();
            }
        } finally {
            lock.unlock();
        }
    }

    private void release() {
        if (!released) {
            released = true;
            try (Arena a = Arena.ofConfined()) {
                Libc.close(Libc.newErrnoSegment(a), fd);
            }
            arena.close();
        }
    }

    /**
     * Waits until the socket is ready for {@code events} (POLLIN, POLLOUT) or {@code timeoutMillis}
     * passed (0: forever): false on timeout. Interrupted system calls are restarted with what is left.
     */
    boolean await(short events, long timeoutMillis) throws IOException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(a);
            MemorySegment pfd = a.allocate(8, 4);
            MemorySegment ts = a.allocate(16, 8);
            while (true) {
                pfd.set(ValueLayout.JAVA_INT, 0, fd);
                pfd.set(ValueLayout.JAVA_SHORT, 4, events);
                pfd.set(ValueLayout.JAVA_SHORT, 6, (short) 0);
                MemorySegment timeout = MemorySegment.NULL;
                if (timeoutMillis > 0) {
                    long left = Math.max(0, deadline - System.nanoTime());
                    ts.set(ValueLayout.JAVA_LONG, 0, left / 1_000_000_000L);
                    ts.set(ValueLayout.JAVA_LONG, 8, left % 1_000_000_000L);
                    timeout = ts;
                }
                int n = Libc.ppoll(errno, pfd, 1, timeout);
                if (n > 0) {
                    return true;
                }
                if (n == 0) {
                    return false;
                }
                int e = Libc.errno(errno);
                if (e != Libc.EINTR) {
                    throw failure("ppoll", e);
                }
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("interrupted while waiting on the socket");
                }
            }
        }
    }

    /** java.net's exception for a failed call, by errno (messages as the JDK's). */
    static IOException failure(String call, int errno) {
        String text = Libc.strerror(errno);
        return switch (errno) {
            case SocketCalls.ECONNREFUSED -> new ConnectException("Connection refused");
            case SocketCalls.ETIMEDOUT -> new ConnectException("Connection timed out");
            case SocketCalls.EADDRINUSE -> new BindException("Address already in use");
            case SocketCalls.EADDRNOTAVAIL -> new BindException("Cannot assign requested address");
            case SocketCalls.EACCES, SocketCalls.EPERM -> call.equals("bind")
                    ? new BindException("Permission denied") : new SocketException(call + ": " + text);
            case SocketCalls.ENETUNREACH, SocketCalls.EHOSTUNREACH -> new NoRouteToHostException(text);
            case SocketCalls.ECONNRESET -> new MptcpResetException(ResetReason.RESET_BY_PEER);
            case SocketCalls.EPIPE -> new SocketException("Broken pipe");
            default -> new SocketException(call + ": " + text + " (errno " + errno + ")");
        };
    }

    /** "Read timed out" / "Accept timed out", as java.net says it. */
    static SocketTimeoutException timedOut(String what) {
        return new SocketTimeoutException(what + " timed out");
    }

    /** The address {@code getsockname} ({@code peer} false) or {@code getpeername} gives; null when there is none. */
    InetSocketAddress address(boolean peer) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(a);
            MemorySegment addr = a.allocate(SocketCalls.SOCKADDR_BYTES, 8);
            MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, SocketCalls.SOCKADDR_BYTES);
            int r = peer ? SocketCalls.getpeername(errno, fd, addr, len) : SocketCalls.getsockname(errno, fd, addr, len);
            if (r < 0) {
                int e = Libc.errno(errno);
                if (e == SocketCalls.ENOTCONN) {
                    return null;
                }
                throw failure(peer ? "getpeername" : "getsockname", e);
            }
            return SocketCalls.fromSockaddr(addr, 0);
        }
    }

    /** {@code setsockopt} of an int value. */
    void setInt(int level, int name, int value) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            v.set(ValueLayout.JAVA_INT, 0, value);
            set(a, level, name, v, 4);
        }
    }

    void set(Arena a, int level, int name, MemorySegment value, int length) throws IOException {
        MemorySegment errno = Libc.newErrnoSegment(a);
        if (SocketCalls.setsockopt(errno, fd, level, name, value, length) < 0) {
            throw failure("setsockopt", Libc.errno(errno));
        }
    }

    int getInt(int level, int name) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment v = a.allocate(ValueLayout.JAVA_INT);
            get(a, level, name, v);
            return v.get(ValueLayout.JAVA_INT, 0);
        }
    }

    /** {@code getsockopt} into {@code value}; the length the kernel wrote. */
    int get(Arena a, int level, int name, MemorySegment value) throws IOException {
        int n = getOrErrno(a, level, name, value);
        if (n < 0) {
            throw failure("getsockopt", -n);
        }
        return n;
    }

    /** {@code getsockopt} into {@code value}: the length the kernel wrote, or minus the errno. */
    int getOrErrno(Arena a, int level, int name, MemorySegment value) {
        MemorySegment errno = Libc.newErrnoSegment(a);
        MemorySegment len = a.allocate(ValueLayout.JAVA_INT);
        len.set(ValueLayout.JAVA_INT, 0, (int) value.byteSize());
        if (SocketCalls.getsockopt(errno, fd, level, name, value, len) < 0) {
            return -Libc.errno(errno);
        }
        return len.get(ValueLayout.JAVA_INT, 0);
    }
}
