package org.mptcp4j.cc;

/**
 * One cumulative or selective acknowledgement as a congestion controller sees it (Linux: the
 * arguments of {@code cong_avoid} plus {@code rate_sample}; quinn: {@code on_ack}).
 *
 * @param nowNanos when the ACK was processed
 * @param bytesAcked bytes newly acknowledged cumulatively by this ACK
 * @param rttSampleNanos the RTT sample this ACK produced, or {@link #NO_SAMPLE}
 * @param srttNanos the smoothed RTT after this sample (RFC 6298), 0 before the first sample
 * @param minRttNanos the minimum RTT seen on the subflow, 0 before the first sample
 * @param priorInFlightBytes bytes in flight (RFC 6675 "pipe") before this ACK was processed
 * @param inRecovery whether the sender is in fast recovery or RTO recovery after this ACK
 * @param cwndLimited whether the sender was limited by the congestion window (and not by the
 *     application or the peer's window) when this data was sent; growth is skipped otherwise (RFC 7661)
 */
public record AckEvent(long nowNanos, long bytesAcked, long rttSampleNanos, long srttNanos, long minRttNanos,
        long priorInFlightBytes, boolean inRecovery, boolean cwndLimited) {

    /** No RTT sample came with this ACK (Karn's rule, or nothing new acknowledged). */
    public static final long NO_SAMPLE = -1;

    public boolean hasRttSample() {
        return rttSampleNanos != NO_SAMPLE;
    }
}
