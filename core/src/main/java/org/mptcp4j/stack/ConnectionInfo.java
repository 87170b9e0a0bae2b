package org.mptcp4j.stack;

import java.net.InetSocketAddress;
import java.util.Optional;
import org.mptcp4j.tcp.TcpState;

/**
 * A snapshot of one connection, like {@code ss -ti} prints it.
 *
 * @param bytesInFlight RFC 6675 pipe
 * @param congestionControl the algorithm's name ("reno", "cubic")
 */
public record ConnectionInfo(TcpState state, InetSocketAddress local, InetSocketAddress remote, long srttNanos,
        long rttvarNanos, long rtoNanos, long cwndBytes, long ssthreshBytes, int mss, long bytesSent, long bytesAcked,
        long bytesReceived, long retransmits, long sndWnd, long rcvWnd, Optional<ResetReason> error,
        long bytesRetransmitted, long bytesInFlight, String congestionControl, boolean sack, boolean timestamps,
        int sndWscale, int rcvWscale) {

    @Override
    public String toString() {
        return state + " " + local + " -> " + remote + " " + congestionControl + (sack ? " sack" : "")
                + (timestamps ? " ts" : "") + " wscale:" + sndWscale + "," + rcvWscale
                + String.format(" rto:%.1f rtt:%.3f/%.3f mss:%d cwnd:%d ssthresh:%s", rtoNanos / 1e6,
                        srttNanos / 1e6, rttvarNanos / 1e6, mss, cwndBytes,
                        ssthreshBytes == Long.MAX_VALUE ? "inf" : Long.toString(ssthreshBytes))
                + " bytes_sent:" + bytesSent + " bytes_retrans:" + bytesRetransmitted + " bytes_acked:" + bytesAcked
                + " bytes_received:" + bytesReceived + " retrans:" + retransmits + " snd_wnd:" + sndWnd
                + " rcv_wnd:" + rcvWnd + " unacked:" + bytesInFlight + error.map(e -> " error:" + e).orElse("");
    }
}
