package org.mptcp4j.api;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.os.SocketCalls;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.tcp.TcpState;

/**
 * The kernel's view of a kernel-engine socket, read with {@code getsockopt} and turned into the
 * records the userspace engine reports: {@code SOL_TCP/TCP_INFO} into {@link ConnectionInfo},
 * {@code SOL_MPTCP/MPTCP_INFO} with {@code MPTCP_TCPINFO} and {@code MPTCP_SUBFLOW_ADDRS} into
 * {@link MptcpInfo}. Offsets are those of the UAPI headers {@code linux/tcp.h} ({@code struct
 * tcp_info}) and {@code linux/mptcp.h} ({@code struct mptcp_info}, {@code struct
 * mptcp_subflow_data}, {@code struct mptcp_subflow_addrs}), which only ever grow at the end; a
 * field past the length an older kernel returns reads as 0.
 */
final class KernelInfo {
    private KernelInfo() {}

    /** {@code MptcpInfo.SubflowInfo.localId/remoteId} when the kernel does not say (MPTCP_TCPINFO has no address ids). */
    static final int UNKNOWN_ID = -1;

    /** {@code sizeof(struct tcp_info)} up to {@code tcpi_total_rto_time} (Linux 6.7); older kernels copy less. */
    static final int TCP_INFO_BYTES = 248;
    /** {@code sizeof(struct mptcp_info)} up to {@code mptcpi_last_ack_recv} (Linux 6.10). */
    static final int MPTCP_INFO_BYTES = 96;
    /** {@code sizeof(struct mptcp_subflow_data)}: the header of MPTCP_TCPINFO and MPTCP_SUBFLOW_ADDRS. */
    static final int SUBFLOW_DATA_BYTES = 16;
    /** {@code sizeof(struct mptcp_subflow_addrs)}: two {@code __kernel_sockaddr_storage}. */
    static final int SUBFLOW_ADDRS_BYTES = 256;
    /** Subflows read at most; Linux allows 8 additional ones per connection ({@code ip mptcp limits}). */
    static final int MAX_SUBFLOWS = 16;

    /** {@code MPTCP_INFO_FLAG_FALLBACK}: the connection fell back to TCP. */
    static final int MPTCP_INFO_FLAG_FALLBACK = 1;
    static final int TCPI_OPT_TIMESTAMPS = 1;
    static final int TCPI_OPT_SACK = 2;
    static final int TCPI_OPT_WSCALE = 4;
    /** {@code TCP_INFINITE_SSTHRESH}: ssthresh not set yet. */
    static final int TCP_INFINITE_SSTHRESH = 0x7fffffff;

    /** Linux's {@code TCP_ESTABLISHED} (1) ... {@code TCP_NEW_SYN_RECV} (12), by number. */
    static TcpState state(int linuxState) {
        return switch (linuxState) {
            case 1 -> TcpState.ESTABLISHED;
            case 2 -> TcpState.SYN_SENT;
            case 3, 12 -> TcpState.SYN_RECEIVED;
            case 4 -> TcpState.FIN_WAIT_1;
            case 5 -> TcpState.FIN_WAIT_2;
            case 6 -> TcpState.TIME_WAIT;
            case 8 -> TcpState.CLOSE_WAIT;
            case 9 -> TcpState.LAST_ACK;
            case 10 -> TcpState.LISTEN;
            case 11 -> TcpState.CLOSING;
            default -> TcpState.CLOSED;
        };
    }

    /** One {@code struct tcp_info} at {@code at}, {@code length} bytes of it valid. */
    record TcpInfo(MemorySegment s, long at, int length) {
        int u8(int off) {
            return off < length ? Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + off)) : 0;
        }

        long u32(int off) {
            return off + 4 <= length ? Integer.toUnsignedLong(s.get(ValueLayout.JAVA_INT_UNALIGNED, at + off)) : 0;
        }

        long u64(int off) {
            return off + 8 <= length ? s.get(ValueLayout.JAVA_LONG_UNALIGNED, at + off) : 0;
        }

        TcpState state() {
            return KernelInfo.state(u8(0));
        }

        int options() {
            return u8(5);
        }

        long srttNanos() {
            return u32(68) * 1000;
        }

        long rttvarNanos() {
            return u32(72) * 1000;
        }

        long rtoNanos() {
            return u32(8) * 1000;
        }

        int mss() {
            return (int) u32(16);
        }

        long cwndBytes() {
            return u32(80) * mss();
        }

        long ssthreshBytes() {
            long packets = u32(76);
            return packets >= TCP_INFINITE_SSTHRESH ? Long.MAX_VALUE : packets * mss();
        }

        long unackedPackets() {
            return u32(24);
        }

        long totalRetrans() {
            return u32(100);
        }

        long bytesAcked() {
            return u64(120);
        }

        long bytesReceived() {
            return u64(128);
        }

        long bytesSent() {
            return u64(200);
        }

        long bytesRetrans() {
            return u64(208);
        }

        long sndWnd() {
            return u32(228);
        }

        long rcvWnd() {
            return u32(232);
        }
    }

    /** {@code SOL_TCP/TCP_INFO} of the socket (for MPTCP, the kernel answers with the initial subflow's). */
    static ConnectionInfo connectionInfo(KernelFd k) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(TCP_INFO_BYTES, 8);
            int len = k.get(a, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_INFO, buf);
            return connectionInfo(new TcpInfo(buf, 0, len), k.address(false), k.address(true), congestion(k));
        }
    }

    static ConnectionInfo connectionInfo(TcpInfo t, InetSocketAddress local, InetSocketAddress remote, String cc) {
        int o = t.options();
        boolean wscale = (o & TCPI_OPT_WSCALE) != 0;
        int scales = t.u8(6);
        return new ConnectionInfo(t.state(), local, remote, t.srttNanos(), t.rttvarNanos(), t.rtoNanos(), t.cwndBytes(),
                t.ssthreshBytes(), t.mss(), t.bytesSent(), t.bytesAcked(), t.bytesReceived(), t.totalRetrans(),
                t.sndWnd(), t.rcvWnd(), Optional.empty(), t.bytesRetrans(), t.unackedPackets() * t.mss(), cc,
                (o & TCPI_OPT_SACK) != 0, (o & TCPI_OPT_TIMESTAMPS) != 0, wscale ? scales & 0xf : 0,
                wscale ? scales >>> 4 : 0);
    }

    /** The congestion control's name ({@code TCP_CONGESTION}), or "" when the kernel does not say. */
    static String congestion(KernelFd k) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment name = a.allocate(16);
            k.get(a, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_CONGESTION, name);
            return name.getString(0);
        } catch (IOException unsupported) {
            return "";
        }
    }

    /**
     * {@code MPTCP_INFO} and the per-subflow {@code TCP_INFO} and addresses. A plain TCP socket
     * (the kernel has no MPTCP, or MPTCP was not asked for) is mode PLAIN with its one connection
     * as the only subflow; an MPTCP socket whose connection fell back (the peer did not answer
     * MP_CAPABLE) is FALLBACK.
     */
    /** Path manager and scheduler as MPTCP_INFO names them for a kernel socket: the kernel's own, set by sysctl. */
    private static final String KERNEL = "kernel";

    static MptcpInfo mptcpInfo(KernelFd k) throws IOException {
        if (!k.isMptcp()) {
            return single(MptcpConnection.Mode.PLAIN, connectionInfo(k));
        }
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(MPTCP_INFO_BYTES, 8);
            int len = k.getOrErrno(a, SocketCalls.SOL_MPTCP, SocketCalls.MPTCP_INFO, info);
            if (len == -SocketCalls.EOPNOTSUPP) {
                // Once a connection fell back, Linux answers every getsockopt from its one TCP
                // subflow, which has no SOL_MPTCP options.
                return single(MptcpConnection.Mode.FALLBACK, connectionInfo(k));
            }
            if (len < 0) {
                throw KernelFd.failure("getsockopt(MPTCP_INFO)", -len);
            }
            TcpInfo m = new TcpInfo(info, 0, len); // the same bounded accessors serve struct mptcp_info
            boolean fallback = (m.u32(8) & MPTCP_INFO_FLAG_FALLBACK) != 0;
            if (fallback) {
                return single(MptcpConnection.Mode.FALLBACK, connectionInfo(k));
            }
            // mptcpi_add_addr_signal (1), _accepted (2), mptcpi_subflows_max (3), _add_addr_accepted_max (5),
            // mptcpi_token (12), mptcpi_csum_enabled (42), mptcpi_retransmits (44), mptcpi_bytes_retrans (48);
            // mptcpi_bytes_sent (56), _received (64), _acked (72): Linux 6.5. The kernel reports its last
            // activity as milliseconds ago, not as times on our clock: left unknown.
            return new MptcpInfo(MptcpConnection.Mode.MPTCP, (int) m.u32(12), 0, m.u8(42) != 0, m.u64(72), m.u64(56),
                    m.u64(64), subflows(k, a), KERNEL, KERNEL, m.u8(3), m.u8(1), m.u8(2), m.u8(5), m.u64(48), m.u32(44),
                    MptcpInfo.NEVER, MptcpInfo.NEVER, MptcpInfo.NEVER);
        }
    }

    /** A connection that is one TCP connection: its only subflow carries everything. */
    private static MptcpInfo single(MptcpConnection.Mode mode, ConnectionInfo c) {
        return new MptcpInfo(mode, 0, 0, false, c.bytesAcked(), c.bytesSent(), c.bytesReceived(), List.of(subflow(c)),
                "", "", 0, 0, 0, 0, c.bytesRetransmitted(), c.retransmits(), MptcpInfo.NEVER, MptcpInfo.NEVER,
                MptcpInfo.NEVER);
    }

    /** A subflow from its {@code TCP_INFO}: the data-level bytes are not in the UAPI, so its own counts stand in. */
    private static MptcpInfo.SubflowInfo subflow(ConnectionInfo c) {
        return new MptcpInfo.SubflowInfo(c.local(), c.remote(), c.state(), UNKNOWN_ID, UNKNOWN_ID, false,
                c.state().isSynchronized(), c.srttNanos(), c.cwndBytes(), c.bytesSent(), c.bytesAcked(),
                c.bytesReceived(), c.retransmits(), c.bytesSent(), c.bytesReceived(), c.rttvarNanos(), c.rtoNanos(),
                c.ssthreshBytes(), c.mss(), c.bytesInFlight(), c.bytesRetransmitted(), c.sndWnd(), c.rcvWnd(), false);
    }

    /**
     * One line per subflow from {@code MPTCP_TCPINFO} and {@code MPTCP_SUBFLOW_ADDRS}, which the
     * kernel fills in the same order (its list of subflows). The data-level bytes per subflow are
     * not in the UAPI; they are reported as the subflow's own byte counts.
     */
    private static List<MptcpInfo.SubflowInfo> subflows(KernelFd k, Arena a) throws IOException {
        MemorySegment tcp = subflowData(k, a, SocketCalls.MPTCP_TCPINFO, TCP_INFO_BYTES);
        MemorySegment addrs = subflowData(k, a, SocketCalls.MPTCP_SUBFLOW_ADDRS, SUBFLOW_ADDRS_BYTES);
        int n = Math.min(MAX_SUBFLOWS, Math.min(tcp.get(ValueLayout.JAVA_INT, 4), addrs.get(ValueLayout.JAVA_INT, 4)));
        int tcpCopied = Math.min(TCP_INFO_BYTES, tcp.get(ValueLayout.JAVA_INT, 8));
        String cc = congestion(k);
        List<MptcpInfo.SubflowInfo> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long at = SUBFLOW_DATA_BYTES + (long) i * SUBFLOW_ADDRS_BYTES;
            InetSocketAddress local = SocketCalls.fromSockaddr(addrs, at);
            InetSocketAddress remote = SocketCalls.fromSockaddr(addrs, at + SUBFLOW_ADDRS_BYTES / 2);
            TcpInfo t = new TcpInfo(tcp, SUBFLOW_DATA_BYTES + (long) i * TCP_INFO_BYTES, tcpCopied);
            out.add(subflow(connectionInfo(t, local, remote, cc)));
        }
        return List.copyOf(out);
    }

    /**
     * {@code getsockopt(SOL_MPTCP, name)} with a {@code struct mptcp_subflow_data} header asking
     * for elements of {@code elementBytes}: the header comes back with {@code num_subflows} (all
     * of them, even those that did not fit) and {@code size_kernel}, the kernel's element size.
     */
    private static MemorySegment subflowData(KernelFd k, Arena a, int name, int elementBytes) throws IOException {
        MemorySegment s = a.allocate(SUBFLOW_DATA_BYTES + (long) MAX_SUBFLOWS * elementBytes, 8);
        s.set(ValueLayout.JAVA_INT, 0, SUBFLOW_DATA_BYTES); // size_subflow_data
        s.set(ValueLayout.JAVA_INT, 12, elementBytes); // size_user; num_subflows and size_kernel must be 0
        k.get(a, SocketCalls.SOL_MPTCP, name, s);
        return s;
    }
}
