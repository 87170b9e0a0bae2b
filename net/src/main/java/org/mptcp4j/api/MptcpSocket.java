package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketImpl;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnectionInfo;

/**
 * A connection of an {@link MptcpHost}: a {@link Socket} in every respect, so it goes wherever a
 * Socket goes ({@link javax.net.SocketFactory}, {@code SSLSocketFactory.createSocket(socket, host,
 * port, autoClose)} for TLS, libraries that take a Socket). java.net's behaviour throughout:
 * exceptions ({@link java.net.ConnectException} "Connection refused",
 * {@link java.net.SocketTimeoutException}, {@link java.net.BindException},
 * {@link java.net.UnknownHostException}, {@link java.net.NoRouteToHostException}, "Socket closed"
 * for a thread blocked in connect, read or write when another closes the socket), options
 * ({@link java.net.StandardSocketOptions}; Nagle on unless TCP_NODELAY), half-close and timeouts.
 * A reset is an {@link MptcpResetException}, a {@link SocketException} that says who reset and why.
 *
 * <p>MPTCP adds {@link #mptcpInfo()} and {@link #info()} (also as {@link MptcpSocketOptions#MPTCP_INFO}
 * and {@link MptcpSocketOptions#TCP_INFO}), which keep the last statistics after a reset or close.
 *
 * <p>One thread may read while another writes; both may be virtual threads.
 */
public final class MptcpSocket extends Socket {
    private final MptcpHost host;
    /** The userspace engine's impl; null on the kernel engine. */
    private final MptcpSocketImpl impl;
    /** The kernel engine's impl; null on the userspace engine. */
    private final KernelSocketImpl kernelImpl;

    /** An unconnected socket on {@code host}, of the host's {@link MptcpHost#engine() engine}. */
    public MptcpSocket(MptcpHost host) throws SocketException {
        this(host, host.engine() == Engine.KERNEL ? new KernelSocketImpl(host) : new MptcpSocketImpl(host));
    }

    private MptcpSocket(MptcpHost host, SocketImpl impl) throws SocketException {
        super(impl);
        this.host = host;
        this.impl = impl instanceof MptcpSocketImpl m ? m : null;
        this.kernelImpl = impl instanceof KernelSocketImpl k ? k : null;
    }

    /** A socket connected to {@code remote}, waiting at most {@code timeoutMillis} (0: until the stack gives up). */
    public static MptcpSocket connect(MptcpHost host, InetSocketAddress remote, int timeoutMillis) throws IOException {
        MptcpSocket s = new MptcpSocket(host);
        s.connect(remote, timeoutMillis);
        return s;
    }

    public MptcpHost host() {
        return host;
    }

    /** The userspace engine's impl (NIO channels, which only that engine has). */
    MptcpSocketImpl impl() {
        if (impl == null) {
            throw new UnsupportedOperationException("NIO channels need the userspace engine; this socket is the kernel's");
        }
        return impl;
    }

    KernelSocketImpl kernelImpl() {
        return kernelImpl;
    }

    /** Which implementation carries this connection: mptcp4j's stack or the Linux kernel's MPTCP. */
    public Engine engine() {
        return host.engine();
    }

    /**
     * A snapshot of the connection's initial subflow (its only one for plain TCP): state, RTT,
     * cwnd, bytes, error, like {@code ss -ti}; after a reset its final statistics, after
     * {@link #close()} the last ones known. {@link #mptcpInfo()} has every subflow.
     */
    public ConnectionInfo info() throws IOException {
        return impl != null ? impl.info() : kernelImpl.info();
    }

    /**
     * The MPTCP view of the connection, like Linux's {@code MPTCP_INFO} socket option and
     * {@code ss -Mi}: the mode ({@code MPTCP}, or {@code PLAIN}/{@code FALLBACK} when the peer
     * did not speak MPTCP), the tokens, the data-level byte counts and one
     * {@link MptcpInfo.SubflowInfo} per subflow. Subflows leave the list as they close. Kept
     * after a reset or close, like {@link #info()}.
     */
    public MptcpInfo mptcpInfo() throws IOException {
        return impl != null ? impl.mptcpInfo() : kernelImpl.mptcpInfo();
    }

    /**
     * Why this kernel-engine socket is plain TCP although MPTCP was asked for: the kernel's refusal
     * of {@code IPPROTO_MPTCP} ("Protocol not available" when {@code net.mptcp.enabled=0},
     * "Protocol not supported" without MPTCP in the kernel); empty for an MPTCP socket, a socket of
     * the userspace engine, or one not bound or connected yet. A connection that fell back later,
     * because the peer did not answer MP_CAPABLE, shows as mode FALLBACK in {@link #mptcpInfo()}.
     */
    public java.util.Optional<String> fallbackReason() {
        return java.util.Optional.ofNullable(kernelImpl == null ? null : kernelImpl.fallbackReason());
    }

    /** Closes with a RST now (like SO_LINGER 0): queued data is discarded. */
    public void abort() throws IOException {
        if (!isClosed()) {
            setSoLinger(true, 0);
            close();
        }
    }

    @Override
    public InetSocketAddress getLocalSocketAddress() {
        return (InetSocketAddress) super.getLocalSocketAddress();
    }

    @Override
    public InetSocketAddress getRemoteSocketAddress() {
        return (InetSocketAddress) super.getRemoteSocketAddress();
    }
}
