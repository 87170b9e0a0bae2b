package org.mptcp4j.mptcp;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import org.mptcp4j.tcp.TcpState;

/**
 * A snapshot of a connection, like Linux's {@code MPTCP_INFO} socket option ({@code struct
 * mptcp_info}) and {@code ss -Mi}: the mode, the tokens, the data-level byte counts, the path
 * manager's state and one line per subflow ({@code ss -ti}'s fields for each).
 *
 * @param bytesAcked data-level bytes the peer acknowledged (DATA_ACK), Linux {@code mptcpi_bytes_acked}
 * @param bytesSent data-level bytes handed to subflows at least once, Linux {@code mptcpi_bytes_sent}
 * @param bytesReceived data-level bytes received in order, Linux {@code mptcpi_bytes_received}
 * @param pathManager the connection's path manager ({@link PathManager#name})
 * @param scheduler the connection's scheduler ({@link Scheduler#name})
 * @param subflowsMax {@code mptcpi_subflows_max}: the subflow limit
 * @param addAddrSignal {@code mptcpi_add_addr_signal}: our announcements sent (ADD_ADDR), echoed or not
 * @param addAddrAccepted {@code mptcpi_add_addr_accepted}: the peer's announcements acted on
 * @param addAddrAcceptedMax {@code mptcpi_add_addr_accepted_max}
 * @param bytesRetransmitted {@code mptcpi_bytes_retrans}: data-level bytes sent again on another subflow (reinjected)
 * @param retransmits data-level retransmissions: mappings reinjected onto another subflow (this
 *     connection's share of {@code MPTcpExtMPTCPRetrans})
 * @param lastDataSentNanos when data was last handed to a subflow, on the stack's clock ({@link #NEVER}: not yet);
 *     Linux reports {@code mptcpi_last_data_sent} as the milliseconds since
 * @param lastDataReceivedNanos when data last arrived in order at the data level ({@code mptcpi_last_data_recv})
 * @param lastAckReceivedNanos when a DATA_ACK last acknowledged new data ({@code mptcpi_last_ack_recv})
 */
public record MptcpInfo(MptcpConnection.Mode mode, int localToken, int remoteToken, boolean checksums,
        long bytesAcked, long bytesSent, long bytesReceived, List<SubflowInfo> subflows, String pathManager,
        String scheduler, int subflowsMax, int addAddrSignal, int addAddrAccepted, int addAddrAcceptedMax,
        long bytesRetransmitted, long retransmits, long lastDataSentNanos, long lastDataReceivedNanos,
        long lastAckReceivedNanos) {
    /** The time of something that has not happened yet. */
    public static final long NEVER = Long.MIN_VALUE;
    /** {@link SubflowInfo#resetReason()} of a subflow the peer did not reset with MP_TCPRST. */
    public static final int NO_RESET = -1;

    /** A connection that is not MPTCP (plain TCP) or not known: counts zero, no path manager state. */
    public static MptcpInfo plain(MptcpConnection.Mode mode, List<SubflowInfo> subflows) {
        return new MptcpInfo(mode, 0, 0, false, 0, 0, 0, subflows, "", "", 0, 0, 0, 0, 0, 0, NEVER, NEVER, NEVER);
    }

    /**
     * One subflow: its addresses, TCP state, address IDs, priority, and what it carried at both
     * levels, with the TCP fields {@code ss -ti} prints.
     *
     * @param bytesInFlight RFC 6675 pipe ({@code ss}: {@code unacked}, in bytes here)
     * @param stale the connection leaves it out while another subflow works (Linux {@code subflow->stale})
     * @param resetReason the reason of the MP_TCPRST the peer reset it with (RFC 8684 section 3.6: 0
     *     unspecified, 1 MPTCP-specific error, 2 lack of resources, 3 administratively prohibited, 4
     *     too much outstanding data, 5 unacceptable performance, 6 middlebox interference), or
     *     {@link #NO_RESET}; Linux's {@code reset_reason}
     * @param resetFlags that MP_TCPRST's flags (bit 0, {@link #RESET_FLAG_TRANSIENT}: the peer's
     *     error is transient, a new subflow may succeed); Linux's {@code reset_flags}
     */
    public record SubflowInfo(InetSocketAddress local, InetSocketAddress remote, TcpState state, int localId,
            int remoteId, boolean backup, boolean established, long srttNanos, long cwndBytes, long bytesSent,
            long bytesAcked, long bytesReceived, long retransmits, long dataBytesSent, long dataBytesReceived,
            long rttvarNanos, long rtoNanos, long ssthreshBytes, int mss, long bytesInFlight, long bytesRetransmitted,
            long sndWnd, long rcvWnd, boolean stale, int resetReason, int resetFlags) {
        /** Flag T of MP_TCPRST ({@code MPTCP_RST_TRANSIENT}). */
        public static final int RESET_FLAG_TRANSIENT = 0x1;

        /** A subflow the peer did not reset with MP_TCPRST. */
        public SubflowInfo(InetSocketAddress local, InetSocketAddress remote, TcpState state, int localId,
                int remoteId, boolean backup, boolean established, long srttNanos, long cwndBytes, long bytesSent,
                long bytesAcked, long bytesReceived, long retransmits, long dataBytesSent, long dataBytesReceived,
                long rttvarNanos, long rtoNanos, long ssthreshBytes, int mss, long bytesInFlight,
                long bytesRetransmitted, long sndWnd, long rcvWnd, boolean stale) {
            this(local, remote, state, localId, remoteId, backup, established, srttNanos, cwndBytes, bytesSent,
                    bytesAcked, bytesReceived, retransmits, dataBytesSent, dataBytesReceived, rttvarNanos, rtoNanos,
                    ssthreshBytes, mss, bytesInFlight, bytesRetransmitted, sndWnd, rcvWnd, stale, NO_RESET, 0);
        }

        /** Whether the peer reset it with MP_TCPRST. */
        public boolean resetByPeer() {
            return resetReason != NO_RESET;
        }

        /** {@code ss -ti}'s line for it, with the MPTCP ids and the data it carried. */
        @Override
        public String toString() {
            return String.format(Locale.ROOT,
                    "%s %s -> %s locid:%d remid:%d%s%s rto:%.1f rtt:%.3f/%.3f mss:%d cwnd:%d ssthresh:%s bytes_sent:%d"
                            + " bytes_retrans:%d bytes_acked:%d bytes_received:%d retrans:%d unacked:%d snd_wnd:%d"
                            + " rcv_wnd:%d data_sent:%d data_received:%d%s",
                    state, local, remote, localId, remoteId, backup ? " backup" : "", stale ? " stale" : "",
                    rtoNanos / 1e6, srttNanos / 1e6, rttvarNanos / 1e6, mss, cwndBytes,
                    ssthreshBytes == Long.MAX_VALUE ? "inf" : Long.toString(ssthreshBytes), bytesSent,
                    bytesRetransmitted, bytesAcked, bytesReceived, retransmits, bytesInFlight, sndWnd, rcvWnd,
                    dataBytesSent, dataBytesReceived, resetByPeer()
                            ? String.format(Locale.ROOT, " reset_reason:%d reset_flags:0x%x", resetReason, resetFlags) : "");
        }
    }

    /** {@code ss -Mi}'s line for the connection, then a line per subflow. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder(256).append(mode.name().toLowerCase(Locale.ROOT))
                .append(String.format(" token:%08x remote_token:%08x", localToken, remoteToken))
                .append(" subflows:").append(subflows.size()).append(" subflows_max:").append(subflowsMax)
                .append(" add_addr_signal:").append(addAddrSignal).append(" add_addr_accepted:").append(addAddrAccepted)
                .append(" add_addr_accepted_max:").append(addAddrAcceptedMax).append(checksums ? " csum_enabled" : "")
                .append(" pm:").append(pathManager).append(" scheduler:").append(scheduler)
                .append(" bytes_sent:").append(bytesSent).append(" bytes_retrans:").append(bytesRetransmitted)
                .append(" bytes_acked:").append(bytesAcked).append(" bytes_received:").append(bytesReceived)
                .append(" retransmits:").append(retransmits);
        for (SubflowInfo s : subflows) {
            b.append("\n  ").append(s);
        }
        return b.toString();
    }
}
