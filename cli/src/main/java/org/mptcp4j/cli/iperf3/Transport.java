package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Map;
import java.util.Optional;

/**
 * Where the test's connections come from and what can be read off them: mptcp4j's MPTCP stack
 * ({@link MptcpTransport}), or any other {@link Socket} implementation. The iperf3 client and
 * server speak only java.net on top of it.
 */
public interface Transport {
    Socket connect(InetSocketAddress remote, int timeoutMillis) throws IOException;

    ServerSocket listen(InetSocketAddress local) throws IOException;

    /** The sender's TCP figures iperf3 prints (Retr, Cwnd) and puts into its JSON, if this socket has them. */
    Optional<TcpSample> sample(Socket s);

    /** The congestion control in use, as iperf3's {@code congestion_used}. */
    String congestionControl();

    /** Why the connection is plain TCP although MPTCP was asked for, or empty when it runs MPTCP (or cannot tell). */
    Optional<String> fallbackReason(Socket s, boolean client);

    /** Figures of this transport beyond iperf3's (per-subflow for MPTCP), or null for none. */
    ObjectNode extraJson(Socket s);

    /** The transport's own counters for the JSON output (nstat names), empty when it has none. */
    Map<String, Long> counters();

    /**
     * What iperf3 reads with TCP_INFO for a sending stream.
     *
     * @param retransmits segments retransmitted so far (tcpi_total_retrans)
     * @param cwndBytes the congestion window in bytes (snd_cwnd times MSS)
     * @param sndWndBytes the peer's receive window
     * @param rttMicros smoothed RTT, µs
     * @param rttvarMicros RTT variation, µs
     * @param pmtu the path MTU (here the MSS plus 40 bytes of headers)
     */
    record TcpSample(long retransmits, long cwndBytes, long sndWndBytes, long rttMicros, long rttvarMicros, int pmtu) {}
}
