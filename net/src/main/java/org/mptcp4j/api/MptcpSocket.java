package org.mptcp4j.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.ResetReason;

/**
 * A client or accepted connection that feels like {@link java.net.Socket}: {@link #connect},
 * {@link #getInputStream()}, {@link #getOutputStream()}, {@link #shutdownOutput()},
 * {@link #close()}, timeouts ({@link #setSoTimeout} for reads, a connect timeout), and exceptions
 * that say what happened: {@link ConnectException} "Connection refused" or "Connection timed out",
 * {@link MptcpResetException} with the reset's reason, {@link SocketTimeoutException}.
 *
 * <p>One thread may read while another writes; both may be virtual threads (they park on
 * {@link java.util.concurrent.locks.Condition}s, never in {@code synchronized}).
 */
public final class MptcpSocket implements AutoCloseable {
    private final MptcpHost host;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private InetSocketAddress bindAddress;
    private volatile ConnState state;
    private volatile boolean closed;
    private volatile boolean outputShut;
    private volatile int soTimeoutMillis;
    private final InputStream in = new In();
    private final OutputStream out = new Out();

    /** An unconnected socket on {@code host}. */
    public MptcpSocket(MptcpHost host) {
        this.host = Objects.requireNonNull(host);
    }

    MptcpSocket(MptcpHost host, ConnState accepted) {
        this(host);
        this.state = accepted;
    }

    /** The local address (port 0: ephemeral) to connect from; call before {@link #connect}. */
    public void bind(InetSocketAddress local) throws SocketException {
        if (state != null) {
            throw new SocketException("Already connected");
        }
        bindAddress = local;
    }

    public void connect(InetSocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    /** Connects, waiting at most {@code timeoutMillis} ({@code 0}: until the stack gives up). */
    public void connect(InetSocketAddress remote, int timeoutMillis) throws IOException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        if (state != null) {
            throw new SocketException("Already connected");
        }
        long deadline = Waiter.deadline(timeoutMillis);
        InetSocketAddress local = bindAddress;
        ConnState s = host.call(() -> {
            StackEndpoint e = host.endpoint();
            ConnHandle h = e.stack().connect(host.driver().nowNanos(), local, remote);
            return e.register(h);
        });
        state = s;
        while (true) {
            long seen = s.waiter.changes();
            if (s.connected) {
                return;
            }
            if (s.failure != null) {
                state = null;
                host.call(() -> {
                    host.endpoint().forget(s.handle);
                    return null;
                });
                throw connectFailure(s.failure, remote);
            }
            checkHost();
            try {
                s.waiter.awaitChange(seen, deadline, "connect to " + remote);
            } catch (SocketTimeoutException e) {
                state = null;
                host.call(() -> {
                    host.endpoint().stack().abort(host.driver().nowNanos(), s.handle);
                    host.endpoint().forget(s.handle);
                    return null;
                });
                throw e;
            }
        }
    }

    private static IOException connectFailure(ResetReason reason, InetSocketAddress remote) {
        return switch (reason) {
            case REFUSED -> new ConnectException("Connection refused: " + remote);
            case TIMED_OUT -> new ConnectException("Connection timed out: " + remote);
            default -> new MptcpResetException(reason);
        };
    }

    public InputStream getInputStream() throws IOException {
        requireConnected();
        return in;
    }

    public OutputStream getOutputStream() throws IOException {
        requireConnected();
        return out;
    }

    /** Read timeout in milliseconds; 0 waits forever (as {@link java.net.Socket#setSoTimeout}). */
    public void setSoTimeout(int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeoutMillis;
    }

    public int getSoTimeout() {
        return soTimeoutMillis;
    }

    /** Sends FIN after the data already written; reading goes on. */
    public void shutdownOutput() throws IOException {
        ConnState s = requireConnected();
        if (outputShut) {
            return;
        }
        outputShut = true;
        host.call(() -> {
            host.endpoint().stack().shutdownOutput(host.driver().nowNanos(), s.handle);
            return null;
        });
    }

    public boolean isOutputShutdown() {
        return outputShut;
    }

    public boolean isConnected() {
        return state != null;
    }

    public boolean isClosed() {
        return closed;
    }

    /**
     * A snapshot of the connection's initial subflow (its only one for plain TCP): state, RTT,
     * cwnd, bytes, error, like {@code ss -ti}. {@link #mptcpInfo()} has every subflow.
     */
    public ConnectionInfo info() throws IOException {
        ConnState s = requireConnected();
        return host.call(() -> host.endpoint().stack().info(s.handle));
    }

    /**
     * The MPTCP view of the connection, like Linux's {@code MPTCP_INFO} socket option and
     * {@code ss -Mi}: the mode ({@code MPTCP}, or {@code PLAIN}/{@code FALLBACK} when the peer
     * did not speak MPTCP), the tokens, the data-level byte counts and one
     * {@link MptcpInfo.SubflowInfo} per subflow (addresses, state, srtt, cwnd, bytes at the
     * subflow and the data level). Subflows leave the list as they close.
     */
    public MptcpInfo mptcpInfo() throws IOException {
        ConnState s = requireConnected();
        return host.call(() -> host.endpoint().stack().mptcpInfo(s.handle));
    }

    public InetSocketAddress getLocalSocketAddress() throws IOException {
        return info().local();
    }

    public InetSocketAddress getRemoteSocketAddress() throws IOException {
        return info().remote();
    }

    /** Graceful close: FIN after queued data; blocked readers and writers get "Socket closed". */
    @Override
    public void close() throws IOException {
        closeWith(false);
    }

    /** Closes with a RST now (like SO_LINGER 0): queued data is discarded. */
    public void abort() throws IOException {
        closeWith(true);
    }

    private void closeWith(boolean reset) throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        ConnState s = state;
        if (s == null || host.endpoint().isStopped()) {
            return;
        }
        host.call(() -> {
            long now = host.driver().nowNanos();
            if (reset) {
                host.endpoint().stack().abort(now, s.handle);
            } else {
                host.endpoint().stack().close(now, s.handle);
            }
            host.endpoint().forget(s.handle);
            return null;
        });
        s.waiter.signal();
    }

    private ConnState requireConnected() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        ConnState s = state;
        if (s == null) {
            throw new SocketException("Socket is not connected");
        }
        return s;
    }

    private void checkHost() throws IOException {
        if (host.endpoint().isStopped()) {
            throw host.stopped();
        }
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        readLock.lock();
        try {
            ConnState s = requireConnected();
            long deadline = Waiter.deadline(soTimeoutMillis);
            while (true) {
                long seen = s.waiter.changes();
                int n = host.call(() -> {
                    int r = host.endpoint().stack().read(host.driver().nowNanos(), s.handle, ByteBuffer.wrap(b, off, len));
                    if (r < 0 && s.failure == null) {
                        // The connection may be gone already (released after its reset): no info then.
                        var info = host.endpoint().stack().info(s.handle);
                        if (info != null) {
                            info.error().ifPresent(reason -> s.failure = reason);
                        }
                    }
                    return r;
                });
                if (n > 0) {
                    return n;
                }
                if (n < 0) {
                    if (s.failure != null && s.failure != ResetReason.ABORTED_LOCALLY) {
                        throw new MptcpResetException(s.failure);
                    }
                    return -1;
                }
                if (closed) {
                    throw new SocketException("Socket closed");
                }
                checkHost();
                s.waiter.awaitChange(seen, deadline, "Read");
            }
        } finally {
            readLock.unlock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        writeLock.lock();
        try {
            ConnState s = requireConnected();
            if (outputShut) {
                throw new SocketException("Socket output is shutdown");
            }
            ByteBuffer src = ByteBuffer.wrap(b, off, len);
            while (src.hasRemaining()) {
                long seen = s.waiter.changes();
                int n = host.call(() -> host.endpoint().stack().write(host.driver().nowNanos(), s.handle, src));
                if (n < 0) {
                    if (s.failure != null) {
                        throw new MptcpResetException(s.failure);
                    }
                    throw new SocketException(closed ? "Socket closed" : "Broken pipe");
                }
                if (n == 0) {
                    if (closed) {
                        throw new SocketException("Socket closed");
                    }
                    checkHost();
                    s.waiter.awaitChange(seen, 0, "Write");
                }
            }
        } finally {
            writeLock.unlock();
        }
    }

    private final class In extends InputStream {
        private final byte[] one = new byte[1];

        @Override
        public int read() throws IOException {
            int n = MptcpSocket.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return MptcpSocket.this.read(b, off, len);
        }

        @Override
        public void close() throws IOException {
            MptcpSocket.this.close();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            MptcpSocket.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            MptcpSocket.this.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            MptcpSocket.this.close();
        }
    }
}
