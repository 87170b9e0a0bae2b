package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketException;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ListenerHandle;

/**
 * A listening socket that feels like {@link java.net.ServerSocket}: bound at construction,
 * {@link #accept()} with {@link #setSoTimeout}, {@link #close()}. The local address may be a
 * wildcard ({@code 0.0.0.0}); the port must be given.
 */
public final class MptcpServerSocket implements AutoCloseable {
    private final MptcpHost host;
    private final InetSocketAddress local;
    private final ListenerHandle listener;
    private final Waiter waiter;
    private volatile boolean closed;
    private volatile int soTimeoutMillis;

    public MptcpServerSocket(MptcpHost host, InetSocketAddress local, int backlog) throws IOException {
        if (local.getPort() == 0) {
            throw new IllegalArgumentException("a listening port must be given");
        }
        this.host = host;
        this.local = local;
        Listening made = host.call(() -> {
            ListenerHandle l = host.endpoint().stack().listen(local, backlog);
            return new Listening(l, host.endpoint().registerListener(l));
        });
        this.listener = made.handle();
        this.waiter = made.waiter();
    }

    private record Listening(ListenerHandle handle, Waiter waiter) {}

    public InetSocketAddress getLocalSocketAddress() {
        return local;
    }

    public void setSoTimeout(int timeoutMillis) {
        if (timeoutMillis < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        soTimeoutMillis = timeoutMillis;
    }

    /** Waits for an established connection (throws {@link java.net.SocketTimeoutException} after the timeout). */
    public MptcpSocket accept() throws IOException {
        long deadline = Waiter.deadline(soTimeoutMillis);
        while (true) {
            if (closed) {
                throw new SocketException("Socket is closed");
            }
            if (host.endpoint().isStopped()) {
                throw host.stopped();
            }
            long seen = waiter.changes();
            ConnState accepted = host.call(() -> {
                ConnHandle h = host.endpoint().stack().accept(listener);
                if (h == null) {
                    return null;
                }
                ConnState s = host.endpoint().register(h);
                s.connected = true;
                return s;
            });
            if (accepted != null) {
                return new MptcpSocket(host, accepted);
            }
            waiter.awaitChange(seen, deadline, "Accept");
        }
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        if (!host.endpoint().isStopped()) {
            host.call(() -> {
                host.endpoint().stack().closeListener(listener);
                host.endpoint().forgetListener(listener);
                return null;
            });
        }
        waiter.signal();
    }
}
