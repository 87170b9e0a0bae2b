package org.mptcp4j.mptcp;

import java.net.InetSocketAddress;
import java.util.List;
import org.mptcp4j.tcp.TcpState;

/**
 * A snapshot of a connection, like Linux's {@code MPTCP_INFO} socket option and {@code ss -Mi}:
 * the mode, the tokens, the data-level byte counts and one line per subflow.
 *
 * @param bytesAcked data-level bytes the peer acknowledged (DATA_ACK), Linux {@code mptcpi_bytes_acked}
 * @param bytesSent data-level bytes handed to subflows at least once, Linux {@code mptcpi_bytes_sent}
 * @param bytesReceived data-level bytes received in order, Linux {@code mptcpi_bytes_received}
 */
public record MptcpInfo(MptcpConnection.Mode mode, int localToken, int remoteToken, boolean checksums,
        long bytesAcked, long bytesSent, long bytesReceived, List<SubflowInfo> subflows) {

    /** One subflow: its addresses, TCP state, address IDs, and what it carried at both levels. */
    public record SubflowInfo(InetSocketAddress local, InetSocketAddress remote, TcpState state, int localId,
            int remoteId, boolean backup, boolean established, long srttNanos, long cwndBytes, long bytesSent,
            long bytesAcked, long bytesReceived, long retransmits, long dataBytesSent, long dataBytesReceived) {}
}
