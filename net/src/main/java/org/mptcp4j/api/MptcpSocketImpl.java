package org.mptcp4j.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.ResetReason;

/**
 * The {@link SocketImpl} behind {@link MptcpSocket}: java.net's {@link java.net.Socket} does the
 * state checks (closed, connected, shut down) and calls this for the work. Writes are copied into
 * the connection's send stage and the reactor is woken once per batch, not per call; reads take
 * from the receive stage the reactor fills (see {@link ConnState}).
 */
final class MptcpSocketImpl extends SocketImpl {
    /** Each stage's size unless SO_SNDBUF / SO_RCVBUF say otherwise. */
    static final int DEFAULT_STAGE_BYTES = 128 << 10;

    final MptcpHost host;
    private final ReentrantLock readLock = new ReentrantLock();
    private final ReentrantLock writeLock = new ReentrantLock();
    private final InputStream in = new In();
    private final OutputStream out = new Out();
    final SocketOptionsSupport options = new SocketOptionsSupport(this);
    private final Object stateLock = new Object();
    /** Null until connect or accept. */
    private volatile ConnState state;
    private volatile boolean closed;
    private InetSocketAddress bindAddress;
    /** Selectors that registered a channel before it had a connection; handed to it when it gets one. */
    final java.util.concurrent.CopyOnWriteArrayList<Runnable> earlyWatchers = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** The destination of the connect under way or done. */
    private volatile InetSocketAddress connectingTo;

    MptcpSocketImpl(MptcpHost host) {
        this.host = Objects.requireNonNull(host);
    }

    ConnState state() {
        return state;
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("mptcp4j has stream sockets only");
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

    /** The local address: one the host owns, or the wildcard; java.net's "Cannot assign requested address" otherwise. */
    @Override
    protected void bind(InetAddress address, int port) throws IOException {
        // An IPv4-mapped address (org.mptcp4j.mptcp.V4Mapped) is its IPv4 address on the wire.
        if (address != null && !address.isAnyLocalAddress()
                && !host.addresses().contains(org.mptcp4j.mptcp.V4Mapped.unmapped(address))) {
            throw new BindException("Cannot assign requested address: " + address.getHostAddress()
                    + " is not an address of mptcp4j host " + host.driver().name());
        }
        bindAddress = new InetSocketAddress(address == null ? null : address, port);
        this.localport = port;
    }

    @Override
    protected void connect(SocketAddress endpoint, int timeoutMillis) throws IOException {
        InetSocketAddress remote = resolvedRemote(endpoint);
        long deadline = Waiter.deadline(timeoutMillis);
        ConnState started = state;
        if (started != null && remote.equals(connectingTo)) {
            // A channel's non-blocking connect, completed: java.net.Socket only records it.
            awaitConnected(started, remote, deadline);
            finishFields(remote);
            return;
        }
        awaitConnected(startConnect(remote), remote, deadline);
        finishFields(remote);
    }

    /** java.net's checks of a connect's destination, for both engines: an IP socket address, resolved. */
    static InetSocketAddress resolvedRemote(SocketAddress endpoint) throws UnknownHostException {
        if (!(endpoint instanceof InetSocketAddress remote)) {
            throw new IllegalArgumentException("Unsupported address type");
        }
        if (remote.isUnresolved()) {
            throw new UnknownHostException(remote.getHostName());
        }
        return remote;
    }

    private void finishFields(InetSocketAddress remote) {
        this.address = remote.getAddress();
        this.port = remote.getPort();
    }

    /** Sends the SYN; the connection's state, to wait on. */
    ConnState startConnect(InetSocketAddress remote) throws IOException {
        InetSocketAddress local = bindAddress;
        boolean nagle = !options.noDelay();
        String scheduler = options.scheduler();
        int sendStage = options.sendStageBytes();
        int recvStage = options.recvStageBytes();
        Opened opened = host.call(() -> {
            StackEndpoint e = host.endpoint();
            if (!host.driver().hasRoute(remote.getAddress())) {
                throw new NoRouteToHostException("No route to host: " + remote.getAddress().getHostAddress());
            }
            ConnHandle h;
            try {
                h = e.stack().connect(host.driver().nowNanos(), local, remote);
            } catch (IllegalStateException inUse) {
                throw new BindException("Address already in use: " + inUse.getMessage());
            } catch (IllegalArgumentException noAddress) {
                throw new NoRouteToHostException("Network is unreachable: " + noAddress.getMessage());
            }
            e.stack().setNagle(h, nagle);
            if (scheduler != null) {
                e.stack().setScheduler(h, scheduler);
            }
            ConnectionInfo info = e.stack().info(h);
            return new Opened(e.register(h, sendStage, recvStage), info.local());
        });
        boolean closedMeanwhile;
        synchronized (stateLock) {
            state = opened.state();
            closedMeanwhile = closed;
        }
        if (closedMeanwhile) {
            // Another thread closed the socket while the SYN was being made: its close saw no
            // connection yet, so the connection is given up here.
            host.call(() -> {
                host.endpoint().close(opened.state(), true);
                return null;
            });
            throw new SocketException("Socket closed");
        }
        this.localport = opened.local().getPort();
        options.setLocalAddress(opened.local().getAddress());
        connectingTo = remote;
        adoptWatchers(opened.state());
        return opened.state();
    }

    /**
     * A non-blocking connect's progress: true once established, false while the SYN is
     * unanswered; a failed connect throws as {@link #connect} would.
     */
    boolean finishConnectNow() throws IOException {
        ConnState s = requireStarted();
        s.lock.lock();
        try {
            if (s.connected) {
                finishFields(connectingTo);
                return true;
            }
            if (s.appClosed || closed) {
                throw new SocketException("Socket closed");
            }
            if (s.failure != null) {
                throw connectFailure(s.failure, connectingTo);
            }
            if (host.endpoint().isStopped()) {
                throw host.stopped();
            }
            return false;
        } finally {
            s.lock.unlock();
        }
    }

    private record Opened(ConnState state, InetSocketAddress local) {}

    /** Moves early watchers to the connection, and pokes them: an event may have come first. */
    private void adoptWatchers(ConnState s) {
        s.watchers.addAll(earlyWatchers);
        earlyWatchers.clear();
        s.notifyWatchers();
    }

    private void awaitConnected(ConnState s, InetSocketAddress remote, long deadline) throws IOException {
        s.lock.lock();
        try {
            while (!s.connected) {
                if (s.appClosed || closed) {
                    throw new SocketException("Socket closed");
                }
                if (s.failure != null) {
                    throw connectFailure(s.failure, remote);
                }
                if (host.endpoint().isStopped()) {
                    throw host.stopped();
                }
                try {
                    s.await(deadline, "Connect");
                } catch (SocketTimeoutException e) {
                    throw new SocketTimeoutException("Connect timed out: " + remote);
                }
            }
        } finally {
            s.lock.unlock();
        }
    }

    private static IOException connectFailure(ResetReason reason, InetSocketAddress remote) {
        return switch (reason) {
            case REFUSED -> new ConnectException("Connection refused: " + remote);
            case TIMED_OUT -> new ConnectException("Connection timed out: " + remote);
            default -> new MptcpResetException(reason);
        };
    }

    /** The accept side: the listener hands over an established connection. */
    void attachAccepted(ConnState s, InetSocketAddress local, InetSocketAddress remote) {
        state = s;
        connectingTo = remote;
        adoptWatchers(s);
        this.address = remote.getAddress();
        this.port = remote.getPort();
        this.localport = local.getPort();
        options.setLocalAddress(local.getAddress());
    }

    @Override
    protected void listen(int backlog) throws IOException {
        throw new SocketException("not a listening socket: use MptcpServerSocket");
    }

    @Override
    protected void accept(SocketImpl s) throws IOException {
        throw new SocketException("not a listening socket: use MptcpServerSocket");
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
        ConnState s = requireConnected();
        s.lock.lock();
        try {
            return s.recvStage.size();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    protected void close() throws IOException {
        closeWith(options.lingerSeconds() == 0);
    }

    private void closeWith(boolean abort) throws IOException {
        ConnState s;
        synchronized (stateLock) {
            if (closed) {
                return;
            }
            closed = true;
            s = state;
        }
        if (s == null) {
            return;
        }
        s.lock.lock();
        try {
            s.appClosed = true;
            s.changed.signalAll();
        } finally {
            s.lock.unlock();
        }
        if (!host.endpoint().isStopped()) {
            try {
                host.call(() -> {
                    host.endpoint().close(s, abort || !s.connected);
                    return null;
                });
            } catch (SocketException stoppedMeanwhile) {
                // the host stopped: the connection is gone with it
            }
        }
    }

    @Override
    protected void shutdownInput() throws IOException {
        ConnState s = requireConnected();
        s.lock.lock();
        try {
            s.inputShut = true;
            s.recvStage.clear();
            s.changed.signalAll();
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    protected void shutdownOutput() throws IOException {
        ConnState s = requireConnected();
        s.lock.lock();
        try {
            if (s.outputShut) {
                return;
            }
            s.outputShut = true;
        } finally {
            s.lock.unlock();
        }
        host.call(() -> {
            host.endpoint().shutdownOutput(s);
            return null;
        });
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }

    /** The first subflow's statistics; the last ones known once the connection is closed or reset. */
    ConnectionInfo info() throws IOException {
        ConnState s = requireStarted();
        if (!closed && !host.endpoint().isStopped()) {
            ConnectionInfo live = host.call(() -> host.endpoint().stack().info(s.handle));
            if (live != null) {
                return live;
            }
        }
        s.lock.lock();
        try {
            return s.lastInfo;
        } finally {
            s.lock.unlock();
        }
    }

    MptcpInfo mptcpInfo() throws IOException {
        ConnState s = requireStarted();
        if (!closed && !host.endpoint().isStopped()) {
            MptcpInfo live = host.call(() -> host.endpoint().stack().mptcpInfo(s.handle));
            if (live != null) {
                return live;
            }
        }
        s.lock.lock();
        try {
            return s.lastMptcpInfo;
        } finally {
            s.lock.unlock();
        }
    }

    /** Applies TCP_NODELAY to a connected socket (before connect, connect applies it). */
    void applyNagle(boolean nagle) throws IOException {
        ConnState s = state;
        if (s != null && !closed && !host.endpoint().isStopped()) {
            host.call(() -> {
                host.endpoint().stack().setNagle(s.handle, nagle);
                return null;
            });
        }
    }

    /** Gives a connected socket's connection the scheduler {@code name} (known to exist). */
    void applyScheduler(String name) throws IOException {
        ConnState s = state;
        if (s != null && !closed && !host.endpoint().isStopped()) {
            host.call(() -> host.endpoint().stack().setScheduler(s.handle, name));
        }
    }

    /** The scheduler of the socket's connection, or null when it has none (not connected, or gone). */
    String currentScheduler() throws IOException {
        ConnState s = state;
        if (s == null || closed || host.endpoint().isStopped()) {
            return null;
        }
        return host.call(() -> host.endpoint().stack().scheduler(s.handle));
    }

    /** Resizes the stages (SO_SNDBUF, SO_RCVBUF) of a connected socket. */
    void resizeStages(int sendBytes, int recvBytes) {
        ConnState s = state;
        if (s != null) {
            s.lock.lock();
            try {
                s.sendStage.resize(sendBytes);
                s.recvStage.resize(recvBytes);
            } finally {
                s.lock.unlock();
            }
        }
    }

    private ConnState requireStarted() throws SocketException {
        ConnState s = state;
        if (s == null) {
            throw new SocketException("Socket is not connected");
        }
        return s;
    }

    private ConnState requireConnected() throws SocketException {
        if (closed) {
            throw new SocketException("Socket is closed");
        }
        return requireStarted();
    }

    private int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        return read(ByteBuffer.wrap(b, off, len), true);
    }

    /**
     * Reads into {@code dst} from the receive stage; -1 at the end of the stream. Blocking, it
     * waits for data (SO_TIMEOUT); otherwise it returns 0 when none is there.
     */
    int read(ByteBuffer dst, boolean block) throws IOException {
        readLock.lock();
        try {
            ConnState s = requireStarted();
            if (!dst.hasRemaining()) {
                return 0;
            }
            long deadline = Waiter.deadline(options.soTimeoutMillis());
            boolean wake = false;
            boolean mayLead = true;
            int n;
            s.lock.lock();
            try {
                while (s.recvStage.size() == 0) {
                    if (s.appClosed) {
                        throw new SocketException("Socket closed");
                    }
                    if (s.inputShut) {
                        return -1;
                    }
                    if (s.eof) {
                        if (s.failure != null && s.failure != ResetReason.ABORTED_LOCALLY) {
                            throw new MptcpResetException(s.failure);
                        }
                        return -1;
                    }
                    if (host.endpoint().isStopped()) {
                        throw host.stopped();
                    }
                    if (!block) {
                        return 0;
                    }
                    if (mayLead && host.mayLead()) {
                        mayLead = false;
                        leadWhileNothingToRead(s, deadline);
                        continue; // the lock was let go meanwhile: look again before waiting
                    }
                    s.await(deadline, "Read");
                    mayLead = true;
                }
                n = s.recvStage.take(dst);
                if (s.stackHasMore && !s.pullScheduled && s.recvStage.free() >= s.recvStage.capacity() / 2) {
                    s.pullScheduled = true; // the reactor stopped at a full stage: ask for the rest
                    wake = true;
                }
            } finally {
                s.lock.unlock();
            }
            if (wake) {
                host.execute(() -> host.endpoint().pull(s));
            }
            return n;
        } finally {
            readLock.unlock();
        }
    }

    /**
     * A blocked read waits in the link itself, in the reactor's place, so that the packet it waits
     * for wakes it directly ({@link MptcpHost#lead}: one thread hand-off fewer per direction of a
     * request/response). Called and returns with {@code s.lock} held, but lets it go meanwhile (a
     * turn takes it, and may fill the stage and signal before this thread waits): the caller must
     * look at the connection again before it waits, whether this thread led or not.
     */
    private void leadWhileNothingToRead(ConnState s, long deadline) {
        s.lock.unlock();
        try {
            host.lead(() -> {
                s.lock.lock();
                try {
                    return s.recvStage.size() > 0 || s.eof || s.inputShut || s.appClosed || s.failure != null;
                } finally {
                    s.lock.unlock();
                }
            }, deadline);
        } finally {
            s.lock.lock();
        }
    }

    private void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        write(ByteBuffer.wrap(b, off, len), true);
    }

    /**
     * Copies {@code src} into the send stage and, once per batch, has it moved into the stack: on
     * this thread when the stack holds nothing unacknowledged ({@link MptcpHost#executeNow}: a
     * request leaves before write returns), by the reactor otherwise. Blocking, it waits for room
     * until all is copied; otherwise it copies what fits. The count copied.
     */
    int write(ByteBuffer src, boolean block) throws IOException {
        writeLock.lock();
        try {
            ConnState s = requireStarted();
            int total = 0;
            while (src.hasRemaining()) {
                boolean wake = false;
                boolean now = false;
                s.lock.lock();
                try {
                    checkWritable(s);
                    int n = s.sendStage.put(src);
                    total += n;
                    if (n == 0) {
                        if (!block) {
                            return total;
                        }
                        // Full: the drain queued or the stack's next Writable event makes room.
                        s.await(0, "Write");
                    } else if (!s.drainScheduled && !s.stackFull) {
                        // One wake-up per batch: the reactor takes all that is staged. While the
                        // stack's buffer is full, its Writable event moves the stage on instead.
                        s.drainScheduled = true;
                        wake = true;
                        now = s.sendIdle;
                    }
                } finally {
                    s.lock.unlock();
                }
                if (now) {
                    // Nothing unacknowledged: the bytes leave at once, so before write returns, from
                    // this thread rather than after a hand-off to the reactor.
                    host.executeNow(() -> host.endpoint().drain(s));
                } else if (wake) {
                    host.execute(() -> host.endpoint().drain(s));
                }
            }
            return total;
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * The operations that would not block now, of {@link java.nio.channels.SelectionKey}'s
     * OP_READ, OP_WRITE and OP_CONNECT: data, end of stream or an error to read; room or an error
     * to write; a connect that completed or failed.
     */
    int readyOps() {
        ConnState s = state;
        if (s == null) {
            return 0;
        }
        s.lock.lock();
        try {
            boolean broken = s.appClosed || s.failure != null || host.endpoint().isStopped();
            int ops = 0;
            if (s.recvStage.size() > 0 || s.eof || s.inputShut || broken) {
                ops |= java.nio.channels.SelectionKey.OP_READ;
            }
            if (s.connected && (s.sendStage.free() > 0 || s.writeFailed || s.outputShut || broken)) {
                ops |= java.nio.channels.SelectionKey.OP_WRITE;
            }
            if (s.connected || broken) {
                ops |= java.nio.channels.SelectionKey.OP_CONNECT;
            }
            return ops;
        } finally {
            s.lock.unlock();
        }
    }

    private void checkWritable(ConnState s) throws IOException {
        if (s.appClosed) {
            throw new SocketException("Socket closed");
        }
        if (s.outputShut) {
            throw new SocketException("Socket output is shutdown");
        }
        if (s.failure != null && s.failure != ResetReason.ABORTED_LOCALLY) {
            throw new MptcpResetException(s.failure);
        }
        if (s.writeFailed) {
            throw new SocketException("Broken pipe");
        }
        if (host.endpoint().isStopped()) {
            throw host.stopped();
        }
    }

    // ---------------------------------------------------------------- options (SocketOptionsSupport)

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        options.setLegacy(optID, value);
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        return options.getLegacy(optID);
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        options.set(name, value);
    }

    @Override
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        return options.get(name);
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return SocketOptionsSupport.SUPPORTED;
    }

    private final class In extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = MptcpSocketImpl.this.read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return MptcpSocketImpl.this.read(b, off, len);
        }

        @Override
        public int available() throws IOException {
            return MptcpSocketImpl.this.available();
        }
    }

    private final class Out extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            MptcpSocketImpl.this.write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            MptcpSocketImpl.this.write(b, off, len);
        }
    }
}
