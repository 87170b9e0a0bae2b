package org.mptcp4j.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.os.Libc;
import org.mptcp4j.net.os.SocketCalls;
import org.mptcp4j.stack.ConnectionInfo;

/**
 * The {@link SocketImpl} of the kernel engine ({@link Engine#KERNEL}): a Linux socket of protocol
 * {@code IPPROTO_MPTCP}, called through FFM, behind both {@link MptcpSocket} and
 * {@link MptcpServerSocket}. Calls block in the kernel (a virtual thread keeps its carrier while
 * it does). The socket is created at {@code bind} or {@code connect}, when its address family is
 * known; options set before that are applied then.
 */
final class KernelSocketImpl extends SocketImpl {
    /** The same options as the userspace engine's sockets, with the kernel's meaning (see {@link KernelOptions}). */
    private static final Set<SocketOption<?>> SUPPORTED = SocketOptionsSupport.SUPPORTED;

    private final MptcpHost host;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    private final KernelOptions options;
    /** Null until bind, connect or accept. */
    private volatile KernelFd k;
    private volatile boolean closed;
    private volatile boolean inputShut;
    /** The statistics when the socket closed, for {@link #info()} and {@link #mptcpInfo()} after close. */
    private volatile ConnectionInfo lastInfo;
    private volatile MptcpInfo lastMptcpInfo;

    KernelSocketImpl(MptcpHost host) {
        this.host = host;
        this.options = new KernelOptions(host);
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("mptcp4j has stream sockets only");
        }
    }

    /** The descriptor, opened now (of the family of {@code forAddress}) if it is not yet. */
    private KernelFd open(InetAddress forAddress) throws IOException {
        KernelFd f = k;
        if (f == null) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            f = KernelFd.open(SocketCalls.family(forAddress), host.kernelMptcp());
            try {
                options.applyAll(f);
            } catch (IOException | RuntimeException e) {
                f.close();
                throw e;
            }
            k = f;
        }
        return f;
    }

    private KernelFd fd() throws SocketException {
        KernelFd f = k;
        if (f == null || closed) {
            throw new SocketException(closed ? "Socket closed" : "Socket is not connected");
        }
        return f;
    }

    @Override
    protected void bind(InetAddress address, int port) throws IOException {
        InetAddress a = address == null ? InetAddress.ofLiteral("0.0.0.0") : address;
        KernelFd f = open(a);
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            InetSocketAddress local = new InetSocketAddress(a, port);
            MemorySegment errno = Libc.newErrnoSegment(arena);
            if (SocketCalls.bind(errno, f.fd, SocketCalls.sockaddr(arena, local), SocketCalls.sockaddrLength(local)) < 0) {
                throw KernelFd.failure("bind", Libc.errno(errno));
            }
            this.localport = f.address(false).getPort();
        } finally {
            f.end();
        }
    }

    @Override
    protected void listen(int backlog) throws IOException {
        KernelFd f = fd();
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            if (SocketCalls.listen(errno, f.fd, backlog < 1 ? 50 : backlog) < 0) {
                throw KernelFd.failure("listen", Libc.errno(errno));
            }
        } finally {
            f.end();
        }
    }

    @Override
    protected void connect(String hostName, int port) throws IOException {
        connect(new InetSocketAddress(hostName, port), 0);
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        connect(new InetSocketAddress(address, port), 0);
    }

    /**
     * A non-blocking {@code connect} then {@code ppoll} for POLLOUT, so that the timeout holds and
     * a close from another thread (which shuts the socket down) ends the wait; then SO_ERROR says
     * how it went.
     */
    @Override
    protected void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        InetSocketAddress remote = MptcpSocketImpl.resolvedRemote(endpoint);
        KernelFd f = open(remote.getAddress());
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int flags = SocketCalls.fcntl(errno, f.fd, SocketCalls.F_GETFL, 0);
            SocketCalls.fcntl(errno, f.fd, SocketCalls.F_SETFL, flags | Libc.O_NONBLOCK);
            int r = SocketCalls.connect(errno, f.fd, SocketCalls.sockaddr(arena, remote), SocketCalls.sockaddrLength(remote));
            if (r < 0) {
                int e = Libc.errno(errno);
                if (e != SocketCalls.EINPROGRESS) {
                    throw closedOr(KernelFd.failure("connect", e));
                }
                if (!f.await(Libc.POLLOUT, timeoutMillis)) {
                    throw new java.net.SocketTimeoutException("Connect timed out");
                }
                int soError = f.getInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_ERROR);
                if (soError != 0) {
                    throw closedOr(KernelFd.failure("connect", soError));
                }
                if (f.isClosed()) {
                    throw new SocketException("Socket closed");
                }
            }
            SocketCalls.fcntl(errno, f.fd, SocketCalls.F_SETFL, flags);
            this.address = remote.getAddress();
            this.port = remote.getPort();
            this.localport = f.address(false).getPort();
        } catch (IOException | RuntimeException e) {
            f.end();
            close(); // java.net closes a socket whose connect failed
            throw e;
        }
        f.end();
    }

    /** "Socket closed" when the failure came from another thread closing the socket. */
    private IOException closedOr(IOException e) {
        return closed ? new SocketException("Socket closed") : e;
    }

    /** {@code accept4} on this listening socket into {@code si}, a fresh {@link KernelSocketImpl}. */
    @Override
    protected void accept(SocketImpl si) throws IOException {
        if (!(si instanceof KernelSocketImpl child)) {
            throw new SocketException("a kernel-engine MptcpServerSocket accepts into a kernel-engine MptcpSocket only");
        }
        KernelFd f = fd();
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            int timeout = options.soTimeoutMillis();
            if (timeout > 0 && !f.await(Libc.POLLIN, timeout)) {
                throw KernelFd.timedOut("Accept");
            }
            MemorySegment errno = Libc.newErrnoSegment(arena);
            MemorySegment addr = arena.allocate(SocketCalls.SOCKADDR_BYTES, 8);
            MemorySegment len = arena.allocate(ValueLayout.JAVA_INT);
            len.set(ValueLayout.JAVA_INT, 0, SocketCalls.SOCKADDR_BYTES);
            int fd;
            do {
                fd = SocketCalls.accept4(errno, f.fd, addr, len, SocketCalls.SOCK_CLOEXEC);
            } while (fd < 0 && Libc.errno(errno) == Libc.EINTR && !closed);
            if (fd < 0) {
                throw closedOr(KernelFd.failure("accept", Libc.errno(errno)));
            }
            KernelFd c = KernelFd.adopt(fd, f.protocol);
            child.k = c;
            InetSocketAddress remote = SocketCalls.fromSockaddr(addr, 0);
            child.address = remote.getAddress();
            child.port = remote.getPort();
            child.localport = c.address(false).getPort();
        } finally {
            f.end();
        }
    }

    @Override
    protected InputStream getInputStream() {
        return in;
    }

    @Override
    protected OutputStream getOutputStream() {
        return out;
    }

    @Override
    protected int available() throws IOException {
        KernelFd f = fd();
        if (inputShut) {
            return 0;
        }
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment n = arena.allocate(ValueLayout.JAVA_INT);
            // FIONREAD (0x541B): bytes queued for reading
            if (Libc.ioctl(Libc.newErrnoSegment(arena), f.fd, 0x541B, n) < 0) {
                return 0;
            }
            return n.get(ValueLayout.JAVA_INT, 0);
        } finally {
            f.end();
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        shutdown(SocketCalls.SHUT_RD);
        inputShut = true;
    }

    @Override
    protected void shutdownOutput() throws IOException {
        shutdown(SocketCalls.SHUT_WR);
    }

    private void shutdown(int how) throws IOException {
        KernelFd f = fd();
        f.begin();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            if (SocketCalls.shutdown(errno, f.fd, how) < 0) {
                throw KernelFd.failure("shutdown", Libc.errno(errno));
            }
        } finally {
            f.end();
        }
    }

    /** Keeps the last statistics, then closes (a reset with SO_LINGER 0, set on the socket itself). */
    @Override
    protected void close() {
        if (closed) {
            return;
        }
        KernelFd f = k;
        if (f != null) {
            try {
                lastInfo = KernelInfo.connectionInfo(f);
                lastMptcpInfo = KernelInfo.mptcpInfo(f);
            } catch (IOException notConnected) {
                // a socket that never connected has no statistics to keep
            }
        }
        closed = true;
        if (f != null) {
            f.close();
        }
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    ConnectionInfo info() throws IOException {
        KernelFd f = k;
        if (closed || f == null) {
            return last(lastInfo);
        }
        return KernelInfo.connectionInfo(f);
    }

    MptcpInfo mptcpInfo() throws IOException {
        KernelFd f = k;
        if (closed || f == null) {
            return last(lastMptcpInfo);
        }
        return KernelInfo.mptcpInfo(f);
    }

    private <T> T last(T value) throws SocketException {
        if (value == null) {
            throw new SocketException(closed ? "Socket closed" : "Socket is not connected");
        }
        return value;
    }

    /** Why the socket is plain TCP though MPTCP was asked for (the kernel's refusal); null when it is not. */
    String fallbackReason() {
        KernelFd f = k;
        return f == null ? null : f.fallbackReason;
    }

    @Override
    public void setOption(int id, Object value) throws SocketException {
        options.setLegacy(k, id, value);
    }

    @Override
    public Object getOption(int id) throws SocketException {
        if (id == SocketOptions.SO_BINDADDR) {
            try {
                KernelFd f = k;
                InetSocketAddress local = f == null ? null : f.address(false);
                return local == null ? InetAddress.ofLiteral("0.0.0.0") : local.getAddress();
            } catch (IOException e) {
                throw new SocketException(e.getMessage());
            }
        }
        return options.getLegacy(k, id);
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        options.set(k, name, value);
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (name == MptcpSocketOptions.MPTCP_INFO) {
            return (T) mptcpInfo();
        } else if (name == MptcpSocketOptions.TCP_INFO) {
            return (T) info();
        } else if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            KernelFd f = k;
            return (T) Boolean.valueOf(f == null ? host.kernelMptcp() : f.isMptcp());
        }
        return options.get(k, name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return SUPPORTED;
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len == 0) {
                return 0;
            }
            KernelFd f = fd();
            if (inputShut) {
                return -1;
            }
            readLock.lock();
            f.begin();
            try {
                int timeout = options.soTimeoutMillis();
                if (timeout > 0 && !f.await(Libc.POLLIN, timeout)) {
                    throw KernelFd.timedOut("Read");
                }
                int want = Math.min(len, KernelFd.IO_CHUNK_BYTES);
                long n;
                do {
                    n = SocketCalls.recv(f.readErrno, f.fd, f.readBuffer, want, 0);
                } while (n < 0 && Libc.errno(f.readErrno) == Libc.EINTR && !closed);
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                if (n < 0) {
                    throw KernelFd.failure("recv", Libc.errno(f.readErrno));
                }
                if (n == 0) {
                    return -1;
                }
                MemorySegment.copy(f.readBuffer, ValueLayout.JAVA_BYTE, 0, b, off, (int) n);
                return (int) n;
            } finally {
                f.end();
                readLock.unlock();
            }
        }

        @Override
        public int available() throws IOException {
            return KernelSocketImpl.this.available();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        /** Writes everything ({@code send} may take less per call); MSG_NOSIGNAL: EPIPE, not SIGPIPE. */
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            KernelFd f = fd();
            writeLock.lock();
            f.begin();
            try {
                while (len > 0) {
                    int chunk = Math.min(len, KernelFd.IO_CHUNK_BYTES);
                    MemorySegment.copy(b, off, f.writeBuffer, ValueLayout.JAVA_BYTE, 0, chunk);
                    int done = 0;
                    while (done < chunk) {
                        long n = SocketCalls.send(f.writeErrno, f.fd, f.writeBuffer.asSlice(done), chunk - done,
                                SocketCalls.MSG_NOSIGNAL);
                        if (closed) {
                            throw new SocketException("Socket closed");
                        }
                        if (n < 0) {
                            int e = Libc.errno(f.writeErrno);
                            if (e == Libc.EINTR) {
                                continue;
                            }
                            throw KernelFd.failure("send", e);
                        }
                        done += (int) n;
                    }
                    off += chunk;
                    len -= chunk;
                }
            } finally {
                f.end();
                writeLock.unlock();
            }
        }
    }
}
