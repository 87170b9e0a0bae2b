package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.net.SocketImpl;

/**
 * A listening socket on an {@link MptcpHost}: a {@link ServerSocket} in every respect (bind with
 * port 0 for a free port, {@link #accept()} with {@link #setSoTimeout}, java.net's exceptions: a
 * port in use is a {@link java.net.BindException}), whose {@link #accept()} returns an
 * {@link MptcpSocket}. The local address may be a wildcard ({@code 0.0.0.0}).
 */
public final class MptcpServerSocket extends ServerSocket {
    private final MptcpHost host;
    /** The userspace engine's impl; null on the kernel engine. */
    private final MptcpServerSocketImpl impl;

    /** An unbound listening socket of the host's {@link MptcpHost#engine() engine}; {@link #bind} it. */
    public MptcpServerSocket(MptcpHost host) {
        this(host, host.engine() == Engine.KERNEL ? new KernelSocketImpl(host) : new MptcpServerSocketImpl(host));
    }

    private MptcpServerSocket(MptcpHost host, SocketImpl impl) {
        super(impl);
        this.host = host;
        this.impl = impl instanceof MptcpServerSocketImpl m ? m : null;
    }

    /** A socket listening on {@code local} (port 0: a free port) with room for {@code backlog} connections. */
    public MptcpServerSocket(MptcpHost host, InetSocketAddress local, int backlog) throws IOException {
        this(host);
        try {
            bind(local, backlog);
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    public MptcpHost host() {
        return host;
    }

    /** The userspace engine's impl (NIO channels, which only that engine has). */
    MptcpServerSocketImpl impl() {
        if (impl == null) {
            throw new UnsupportedOperationException("NIO channels need the userspace engine; this socket is the kernel's");
        }
        return impl;
    }

    /** A connection if one is established and waiting, else null at once (a non-blocking accept). */
    MptcpSocket acceptNow() throws IOException {
        impl();
        MptcpServerSocketImpl.POLL_ONLY.set(Boolean.TRUE);
        try {
            return accept();
        } catch (MptcpServerSocketImpl.NothingToAccept none) {
            return null;
        } finally {
            MptcpServerSocketImpl.POLL_ONLY.set(Boolean.FALSE);
        }
    }

    /** Waits for an established connection (a {@link java.net.SocketTimeoutException} after the timeout). */
    @Override
    public MptcpSocket accept() throws IOException {
        if (isClosed()) {
            throw new SocketException("Socket is closed");
        }
        if (!isBound()) {
            throw new SocketException("Socket is not bound yet");
        }
        MptcpSocket s = new MptcpSocket(host);
        implAccept(s);
        return s;
    }

    @Override
    public InetSocketAddress getLocalSocketAddress() {
        return (InetSocketAddress) super.getLocalSocketAddress();
    }
}
