package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
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
    private final MptcpSocketImpl impl;

    /** An unconnected socket on {@code host}. */
    public MptcpSocket(MptcpHost host) throws SocketException {
        this(host, new MptcpSocketImpl(host));
    }

    private MptcpSocket(MptcpHost host, MptcpSocketImpl impl) throws SocketException {
        super(impl);
        this.host = host;
        this.impl = impl;
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

    MptcpSocketImpl impl() {
        return impl;
    }

    /**
     * A snapshot of the connection's initial subflow (its only one for plain TCP): state, RTT,
     * cwnd, bytes, error, like {@code ss -ti}; after a reset its final statistics, after
     * {@link #close()} the last ones known. {@link #mptcpInfo()} has every subflow.
     */
    public ConnectionInfo info() throws IOException {
        return impl.info();
    }

    /**
     * The MPTCP view of the connection, like Linux's {@code MPTCP_INFO} socket option and
     * {@code ss -Mi}: the mode ({@code MPTCP}, or {@code PLAIN}/{@code FALLBACK} when the peer
     * did not speak MPTCP), the tokens, the data-level byte counts and one
     * {@link MptcpInfo.SubflowInfo} per subflow. Subflows leave the list as they close. Kept
     * after a reset or close, like {@link #info()}.
     */
    public MptcpInfo mptcpInfo() throws IOException {
        return impl.mptcpInfo();
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
