package org.mptcp4j.tcp;

import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.ControllerFactory;

/**
 * The per-connection knobs of the TCP engine (Linux: the {@code net.ipv4.tcp_*} sysctls and socket
 * options). {@code org.mptcp4j.stack.StackConfig} carries the same knobs for the driver.
 *
 * @param mss the MSS this host announces and uses at most (payload bytes per segment)
 * @param sendBufferBytes send buffer limit (SO_SNDBUF)
 * @param receiveBufferBytes the initial receive buffer (Linux tcp_rmem[1]); the window never exceeds
 *     the buffer
 * @param receiveBufferMaxBytes the most receive-buffer autotuning may grow the buffer to (Linux
 *     tcp_rmem[2], 6 MB; see {@link ReceiveAutotuner}); autotuning is off when it is not above
 *     {@code receiveBufferBytes} (as on a Linux socket with SO_RCVBUF set). The window scale
 *     announced in the SYN covers it, since the scale cannot change later
 * @param initialRtoNanos RFC 6298 (2.1) initial RTO, 1 s
 * @param minRtoNanos the RTO floor (RFC 6298 says 1 s, Linux uses 200 ms)
 * @param maxRtoNanos the RTO ceiling (RFC 6298 (2.5): at least 60 s)
 * @param delayedAckNanos the delayed-ACK timer (RFC 9293 3.8.6.3: under 500 ms; Linux 40 ms)
 * @param timeWaitNanos 2MSL, the time spent in TIME_WAIT (Linux 60 s)
 * @param sack offer SACK (RFC 2018)
 * @param timestamps offer timestamps (RFC 7323)
 * @param windowScale offer window scaling (RFC 7323)
 * @param nagle Nagle's algorithm (RFC 9293 3.7.4); off by default like TCP_NODELAY
 * @param keepaliveIdleNanos idle time before keepalive probes, {@link Nanos#NEVER} = keepalive off
 * @param keepaliveIntervalNanos interval between keepalive probes
 * @param keepaliveProbes unanswered probes before the connection is reset
 * @param synRetries SYN retransmissions before connect fails (Linux tcp_syn_retries = 6)
 * @param synAckRetries SYN-ACK retransmissions before a half-open connection is dropped
 * @param maxRetransmits consecutive RTOs before an established connection is reset (tcp_retries2)
 * @param congestionControl the congestion control algorithm
 */
public record TcpConfig(int mss, int sendBufferBytes, int receiveBufferBytes, int receiveBufferMaxBytes,
        long initialRtoNanos, long minRtoNanos,
        long maxRtoNanos, long delayedAckNanos, long timeWaitNanos, boolean sack, boolean timestamps,
        boolean windowScale, boolean nagle, long keepaliveIdleNanos, long keepaliveIntervalNanos,
        int keepaliveProbes, int synRetries, int synAckRetries, int maxRetransmits,
        ControllerFactory congestionControl) {

    /** IPv4 over Ethernet: 1500 - 20 - 20 (RFC 9293 3.7.1 computes the announced value the same way). */
    public static final int DEFAULT_MSS = 1460;
    /** Linux tcp_rmem[2]: the most receive-buffer autotuning grows a buffer to (6 MB). */
    public static final int DEFAULT_RECEIVE_BUFFER_MAX_BYTES = 6 << 20;
    /** RFC 9293 3.7.1: the MSS to assume when the peer sends no MSS option (IPv4). */
    public static final int DEFAULT_PEER_MSS = 536;
    /** RFC 9293 3.7.1: the same for IPv6, "1220 (1280 - 60)". */
    public static final int DEFAULT_PEER_MSS_IPV6 = 1220;

    public TcpConfig {
        if (mss < 64 || mss > 65495) {
            throw new IllegalArgumentException("mss " + mss);
        }
        if (sendBufferBytes < mss || receiveBufferBytes < mss) {
            throw new IllegalArgumentException("buffers must hold at least one segment");
        }
    }

    public static TcpConfig defaults() {
        return new TcpConfig(DEFAULT_MSS, 1 << 20, 1 << 20, DEFAULT_RECEIVE_BUFFER_MAX_BYTES, Nanos.ofSeconds(1), Nanos.ofMillis(200),
                Nanos.ofSeconds(60), Nanos.ofMillis(40), Nanos.ofSeconds(60), true, true, true, false,
                Nanos.NEVER, Nanos.ofSeconds(75), 9, 6, 5, 15, ControllerFactory.cubic());
    }

    /** Receive-buffer autotuning may grow the buffer (Linux tcp_moderate_rcvbuf without SO_RCVBUF). */
    public boolean receiveAutotuning() {
        return receiveBufferMaxBytes > receiveBufferBytes;
    }

    public boolean keepaliveEnabled() {
        return keepaliveIdleNanos != Nanos.NEVER;
    }

    /**
     * The window scale shift that lets the largest receive buffer be advertised (RFC 7323 section
     * 2.3); like Linux tcp_select_initial_window it covers what autotuning may grow the buffer to.
     */
    public int receiveWindowShift() {
        if (!windowScale) {
            return 0;
        }
        int shift = 0;
        int largest = Math.max(receiveBufferBytes, receiveBufferMaxBytes);
        while (shift < 14 && (65535L << shift) < largest) {
            shift++;
        }
        return shift;
    }
}
