package org.mptcp4j.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.SocketTimeoutException;
import java.net.StandardSocketOptions;
import java.util.Objects;
import java.util.Set;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;
import org.mptcp4j.stack.StackConfig;

/**
 * The {@link SocketImpl} behind {@link MptcpServerSocket}: bind checks the address, listen opens
 * the stack's listener (port 0: a free port from the ephemeral range, as the kernel picks one),
 * accept hands an established connection to the {@link MptcpSocketImpl} of a new
 * {@link MptcpSocket}.
 */
final class MptcpServerSocketImpl extends SocketImpl {
    /** Tries at most this many random ephemeral ports for a listener on port 0. */
    private static final int EPHEMERAL_TRIES = 64;

    /** Set while a non-blocking accept runs on this thread: accept looks once and does not wait. */
    static final ThreadLocal<Boolean> POLL_ONLY = ThreadLocal.withInitial(() -> Boolean.FALSE);

    /** A non-blocking accept found nobody. */
    static final class NothingToAccept extends SocketTimeoutException {
        NothingToAccept() {
            super("no connection to accept");
        }
    }

    private final MptcpHost host;
    private InetAddress bindAddress;
    private volatile ListenerHandle listener;
    private volatile Waiter waiter;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;
    private volatile boolean reuseAddress = true;

    MptcpServerSocketImpl(MptcpHost host) {
        this.host = Objects.requireNonNull(host);
    }

    @Override
    protected void create(boolean stream) throws IOException {
        if (!stream) {
            throw new SocketException("mptcp4j has stream sockets only");
        }
    }

    @Override
    protected void bind(InetAddress address, int port) throws IOException {
        InetAddress a = address == null ? InetAddress.ofLiteral("0.0.0.0") : address;
        // An IPv4-mapped address (org.mptcp4j.mptcp.V4Mapped) is its IPv4 address on the wire.
        if (!a.isAnyLocalAddress() && !host.addresses().contains(org.mptcp4j.mptcp.V4Mapped.unmapped(a))) {
            throw new BindException("Cannot assign requested address: " + a.getHostAddress()
                    + " is not an address of mptcp4j host " + host.driver().name());
        }
        bindAddress = a;
        this.address = a;
        this.localport = port;
    }

    @Override
    protected void listen(int backlog) throws IOException {
        InetAddress a = bindAddress;
        int wanted = localport;
        record Listening(ListenerHandle handle, Waiter waiter, int port) {}
        Listening made = host.call(() -> {
            StackEndpoint e = host.endpoint();
            if (wanted != 0) {
                ListenerHandle l = listenOrBindException(e, new InetSocketAddress(a, wanted), backlog);
                return new Listening(l, e.registerListener(l), wanted);
            }
            StackConfig c = e.stack().config();
            int range = c.ephemeralPortHigh() - c.ephemeralPortLow() + 1;
            java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
            for (int i = 0; i < EPHEMERAL_TRIES; i++) {
                int port = c.ephemeralPortLow() + random.nextInt(range);
                try {
                    ListenerHandle l = e.stack().listen(new InetSocketAddress(a, port), backlog);
                    return new Listening(l, e.registerListener(l), port);
                } catch (IllegalStateException taken) {
                    // another listener has it: try the next
                }
            }
            throw new BindException("Address already in use: no free ephemeral port found");
        });
        listener = made.handle();
        waiter = made.waiter();
        localport = made.port();
    }

    private static ListenerHandle listenOrBindException(StackEndpoint e, InetSocketAddress local, int backlog)
            throws BindException {
        try {
            return e.stack().listen(local, backlog);
        } catch (IllegalStateException inUse) {
            throw new BindException("Address already in use: " + local);
        }
    }

    @Override
    protected void accept(SocketImpl si) throws IOException {
        if (!(si instanceof MptcpSocketImpl target)) {
            throw new SocketException("an MptcpServerSocket accepts into an MptcpSocket only");
        }
        ListenerHandle l = listener;
        Waiter w = waiter;
        long deadline = Waiter.deadline(soTimeoutMillis);
        boolean nagle = !target.options.noDelay();
        String scheduler = target.options.scheduler();
        int sendStage = target.options.sendStageBytes();
        int recvStage = target.options.recvStageBytes();
        record Accepted(ConnState state, InetSocketAddress local, InetSocketAddress remote) {}
        while (true) {
            if (closed) {
                throw new SocketException("Socket closed");
            }
            if (host.endpoint().isStopped()) {
                throw host.stopped();
            }
            long seen = w.changes();
            Accepted a = host.call(() -> {
                StackEndpoint e = host.endpoint();
                ConnHandle h = e.stack().accept(l);
                if (h == null) {
                    return null;
                }
                e.stack().setNagle(h, nagle);
                if (scheduler != null) {
                    e.stack().setScheduler(h, scheduler);
                }
                var info = e.stack().info(h);
                ConnState s = e.register(h, sendStage, recvStage);
                s.connected = true;
                return new Accepted(s, info.local(), info.remote());
            });
            if (a != null) {
                w.incoming.updateAndGet(n -> Math.max(0, n - 1));
                target.attachAccepted(a.state(), a.local(), a.remote());
                return;
            }
            w.incoming.set(0); // none waits: what was announced has been taken (the stack keeps even a reset one for accept)
            if (POLL_ONLY.get()) {
                throw new NothingToAccept();
            }
            w.awaitChange(seen, deadline, "Accept");
        }
    }

    /** Whether an accept would find a connection now (or the listener is closed): OP_ACCEPT. */
    boolean acceptReady() {
        Waiter w = waiter;
        return closed || host.endpoint().isStopped() || w != null && w.incoming.get() > 0;
    }

    /** The listener's waiter, once listening: selectors watch it. */
    Waiter waiter() {
        return waiter;
    }

    @Override
    protected void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        ListenerHandle l = listener;
        if (l != null && !host.endpoint().isStopped()) {
            try {
                host.call(() -> {
                    host.endpoint().stack().closeListener(host.driver().nowNanos(), l);
                    host.endpoint().forgetListener(l);
                    return null;
                });
            } catch (SocketException stoppedMeanwhile) {
                // the host stopped: the listener is gone with it
            }
        }
        Waiter w = waiter;
        if (w != null) {
            w.signal();
        }
    }

    @Override
    public void setOption(int optID, Object value) throws SocketException {
        switch (optID) {
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis = (Integer) value;
            case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value;
            case SocketOptions.SO_RCVBUF -> { } // accepted sockets size their own stages
            default -> throw new SocketException("Option " + optID + " is not supported by mptcp4j server sockets");
        }
    }

    @Override
    public Object getOption(int optID) throws SocketException {
        return switch (optID) {
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis;
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.SO_RCVBUF -> MptcpSocketImpl.DEFAULT_STAGE_BYTES;
            case SocketOptions.SO_BINDADDR -> bindAddress;
            default -> throw new SocketException("Option " + optID + " is not supported by mptcp4j server sockets");
        };
    }

    @Override
    protected <T> void setOption(SocketOption<T> name, T value) throws IOException {
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            setOption(SocketOptions.SO_RCVBUF, value);
        } else {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    protected <T> T getOption(SocketOption<T> name) throws IOException {
        if (name == StandardSocketOptions.SO_REUSEADDR) {
            return (T) (Boolean) reuseAddress;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return (T) getOption(SocketOptions.SO_RCVBUF);
        }
        throw new UnsupportedOperationException("'" + name + "' not supported");
    }

    @Override
    protected Set<SocketOption<?>> supportedOptions() {
        return Set.of(StandardSocketOptions.SO_REUSEADDR, StandardSocketOptions.SO_RCVBUF);
    }

    @Override
    protected void connect(String host, int port) throws IOException {
        throw new SocketException("a listening socket does not connect");
    }

    @Override
    protected void connect(InetAddress address, int port) throws IOException {
        throw new SocketException("a listening socket does not connect");
    }

    @Override
    protected void connect(SocketAddress address, int timeout) throws IOException {
        throw new SocketException("a listening socket does not connect");
    }

    @Override
    protected InputStream getInputStream() throws IOException {
        throw new SocketException("a listening socket has no stream");
    }

    @Override
    protected OutputStream getOutputStream() throws IOException {
        throw new SocketException("a listening socket has no stream");
    }

    @Override
    protected int available() {
        return 0;
    }

    @Override
    protected void sendUrgentData(int data) throws IOException {
        throw new SocketException("Urgent data not supported");
    }
}
