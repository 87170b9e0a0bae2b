package org.mptcp4j.stack;

import org.mptcp4j.base.Nanos;
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.cc.ControllerFactory;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.tcp.TcpConfig;

/**
 * The knobs of a {@link Stack} (Linux: the {@code net.ipv4.tcp_*} and {@code net.mptcp.*}
 * sysctls). Start from {@link #defaults()} and change fields with the withers.
 *
 * @param mss MSS announced for IPv4 (IPv6 connections use 20 bytes less)
 * @param sendBufferBytes send buffer limit per TCP connection, and per subflow of an MPTCP connection
 *     (4 MiB, Linux's tcp_wmem[2], which its autotuning reaches on a fast path; an MPTCP connection's
 *     buffer tunes itself up to this times its subflows, as Linux's {@code <nr_subflows> *
 *     tcp_wmem[2]}): a ring that grows only as data waits, so an idle or slow connection holds much less
 * @param receiveBufferBytes initial receive buffer per connection (tcp_rmem[1]); bounds the window
 * @param receiveBufferMaxBytes the most receive-buffer autotuning grows a buffer to (tcp_rmem[2], 6 MB);
 *     autotuning is off when it is not above receiveBufferBytes
 * @param initialRtoNanos RFC 6298 initial RTO
 * @param minRtoNanos RTO floor (Linux TCP_RTO_MIN 200 ms; RFC 6298 says 1 s)
 * @param maxRtoNanos RTO ceiling
 * @param delayedAckNanos delayed-ACK timer
 * @param timeWaitNanos 2MSL: time in TIME_WAIT (Linux 60 s)
 * @param congestionControl congestion control by name (Linux tcp_congestion_control; the names of
 *     {@link CongestionAlgorithm}): "cubic" (the default) or "reno" run each subflow uncoupled, as upstream
 *     Linux does; "lia", "olia" or "balia" (and "lia-exact") couple the subflows of each MPTCP connection
 *     as the multipath-tcp.org kernel did, and behave as Reno on a connection with one path
 * @param sack offer SACK (tcp_sack)
 * @param timestamps offer timestamps (tcp_timestamps)
 * @param windowScale offer window scaling (tcp_window_scaling)
 * @param nagle Nagle's algorithm; off by default (TCP_NODELAY)
 * @param keepaliveIdleNanos keepalive idle time; Nanos.NEVER = keepalive off (the default)
 * @param keepaliveIntervalNanos keepalive probe interval
 * @param keepaliveProbes unanswered keepalive probes before reset
 * @param synRetries SYN retransmissions before connect fails (tcp_syn_retries)
 * @param synAckRetries SYN-ACK retransmissions before a half-open connection is dropped (tcp_synack_retries)
 * @param maxRetransmits RTOs without progress before an established connection is dropped (tcp_retries2)
 * @param maxSynBacklog upper bound for any listener's backlog (somaxconn)
 * @param ephemeralPortLow first ephemeral port (ip_local_port_range)
 * @param ephemeralPortHigh last ephemeral port
 * @param mptcpEnabled MPTCP (Linux {@code net.mptcp.enabled}): on, connections offer and accept MP_CAPABLE;
 *     off, the stack speaks plain TCP and ignores MPTCP options
 * @param mptcp checksums, endpoints, limits and scheduler (the rest of {@code net.mptcp.*} and {@code ip mptcp})
 */
public record StackConfig(
        int mss,
        int sendBufferBytes,
        int receiveBufferBytes,
        int receiveBufferMaxBytes,
        long initialRtoNanos,
        long minRtoNanos,
        long maxRtoNanos,
        long delayedAckNanos,
        long timeWaitNanos,
        String congestionControl,
        boolean sack,
        boolean timestamps,
        boolean windowScale,
        boolean nagle,
        long keepaliveIdleNanos,
        long keepaliveIntervalNanos,
        int keepaliveProbes,
        int synRetries,
        int synAckRetries,
        int maxRetransmits,
        int maxSynBacklog,
        int ephemeralPortLow,
        int ephemeralPortHigh,
        boolean mptcpEnabled,
        MptcpConfig mptcp) {

    public StackConfig {
        if (ControllerFactory.byName(congestionControl).isEmpty()) {
            throw new IllegalArgumentException("unknown congestion control " + congestionControl + " (known: "
                    + CongestionAlgorithm.names() + ")");
        }
        if (ephemeralPortLow < 1 || ephemeralPortHigh > 65535 || ephemeralPortLow > ephemeralPortHigh) {
            throw new IllegalArgumentException("ephemeral port range " + ephemeralPortLow + "-" + ephemeralPortHigh);
        }
        if (receiveBufferMaxBytes <= 0) {
            throw new IllegalArgumentException("receiveBufferMaxBytes " + receiveBufferMaxBytes);
        }
        if (mss < 84 || mss > 65495 || sendBufferBytes < mss || receiveBufferBytes < mss) {
            throw new IllegalArgumentException("mss " + mss + " with buffers " + sendBufferBytes + "/" + receiveBufferBytes);
        }
    }

    /**
     * What {@link #defaults()} gives {@code sendBufferBytes}: Linux's tcp_wmem[2]. Two 1 Gbit/s
     * paths need more than 4 MiB unacknowledged at the data level, which an MPTCP connection with
     * two subflows may hold (docs/BENCHMARKS.md).
     */
    public static final int DEFAULT_SEND_BUFFER_BYTES = 4 << 20;

    /** Linux-like defaults. */
    public static StackConfig defaults() {
        return new StackConfig(1460, DEFAULT_SEND_BUFFER_BYTES, 1 << 20, TcpConfig.DEFAULT_RECEIVE_BUFFER_MAX_BYTES, Nanos.ofSeconds(1), Nanos.ofMillis(200), Nanos.ofSeconds(60), Nanos.ofMillis(40), Nanos.ofSeconds(60), "cubic", true, true, true, false, Nanos.NEVER, Nanos.ofSeconds(75), 9, 6, 5, 15, 4096, 32768, 60999, true, MptcpConfig.defaults());
    }

    /** The per-connection TCP configuration; IPv6 has a 20-byte longer IP header, so a smaller MSS. */
    public TcpConfig tcpConfig(boolean ipv6) {
        return new TcpConfig(ipv6 ? mss - 20 : mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes,
                initialRtoNanos, minRtoNanos,
                maxRtoNanos, delayedAckNanos, timeWaitNanos, sack, timestamps, windowScale, nagle, keepaliveIdleNanos,
                keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits,
                ControllerFactory.byName(congestionControl).orElseThrow());
    }

    public StackConfig withMss(int value) {
        return new StackConfig(value, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withSendBufferBytes(int value) {
        return new StackConfig(mss, value, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withReceiveBufferBytes(int value) {
        return new StackConfig(mss, sendBufferBytes, value, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withReceiveBufferMaxBytes(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, value, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withInitialRtoNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, value, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withMinRtoNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, value, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withMaxRtoNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, value, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withDelayedAckNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, value, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withTimeWaitNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, value, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withCongestionControl(String value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, value, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    /** The algorithm each new connection's subflows run ({@link #congestionControl}). */
    public StackConfig withCongestionControl(CongestionAlgorithm value) {
        return withCongestionControl(value.id());
    }

    public StackConfig withSack(boolean value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, value, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withTimestamps(boolean value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, value, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withWindowScale(boolean value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, value, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withNagle(boolean value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, value, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withKeepaliveIdleNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, value, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withKeepaliveIntervalNanos(long value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, value, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withKeepaliveProbes(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, value, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withSynRetries(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, value, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withSynAckRetries(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, value, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withMaxRetransmits(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, value, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withMaxSynBacklog(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, value, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withEphemeralPortLow(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, value, ephemeralPortHigh, mptcpEnabled, mptcp);
    }

    public StackConfig withEphemeralPortHigh(int value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, value, mptcpEnabled, mptcp);
    }

    public StackConfig withMptcpEnabled(boolean value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, value, mptcp);
    }

    public StackConfig withMptcp(MptcpConfig value) {
        return new StackConfig(mss, sendBufferBytes, receiveBufferBytes, receiveBufferMaxBytes, initialRtoNanos, minRtoNanos, maxRtoNanos, delayedAckNanos, timeWaitNanos, congestionControl, sack, timestamps, windowScale, nagle, keepaliveIdleNanos, keepaliveIntervalNanos, keepaliveProbes, synRetries, synAckRetries, maxRetransmits, maxSynBacklog, ephemeralPortLow, ephemeralPortHigh, mptcpEnabled, value);
    }
}
