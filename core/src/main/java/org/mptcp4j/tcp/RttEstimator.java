package org.mptcp4j.tcp;

/**
 * The retransmission timeout of RFC 6298: SRTT and RTTVAR from RTT samples, exponential backoff,
 * and a configurable floor (Linux: {@code tcp_rtt_estimator}, {@code TCP_RTO_MIN} = 200 ms where
 * the RFC says 1 s). Karn's rule is the caller's: it passes no sample from a retransmitted segment
 * unless a timestamp echo disambiguates it (RFC 7323 section 4).
 */
public final class RttEstimator {
    /** RFC 6298 (2.4): G, the clock granularity; our clock is the driver's nanosecond clock. */
    private static final long GRANULARITY_NANOS = 1_000_000;

    /** RFC 6298 (5.7) and Linux TCP_TIMEOUT_FALLBACK. */
    private static final long SYN_TIMEOUT_FALLBACK_NANOS = 3_000_000_000L;

    private final long minRtoNanos;
    private final long maxRtoNanos;
    private final long initialRtoNanos;
    /** 0 until the first sample (RFC 6298 (2.1)). */
    private long srttNanos;
    private long rttvarNanos;
    private long minRttNanos;
    private long latestRttNanos;
    /** RFC 6298 (5.7): the RTO to start data with, raised to 3 s when the SYN timed out. */
    private long unsampledRtoNanos;
    /** Number of consecutive backoffs (RFC 6298 (5.5)); the RTO doubles with each. */
    private int backoff;

    public RttEstimator(long initialRtoNanos, long minRtoNanos, long maxRtoNanos) {
        this.initialRtoNanos = initialRtoNanos;
        this.minRtoNanos = minRtoNanos;
        this.maxRtoNanos = maxRtoNanos;
        this.unsampledRtoNanos = initialRtoNanos;
    }

    /** Takes one RTT measurement (RFC 6298 (2.2) and (2.3)) and clears the backoff (section 5 note). */
    public void onSample(long rttNanos) {
        if (rttNanos < 0) {
            return;
        }
        latestRttNanos = rttNanos;
        if (srttNanos == 0) {
            srttNanos = Math.max(rttNanos, 1);
            rttvarNanos = rttNanos / 2;
            minRttNanos = rttNanos;
        } else {
            // RTTVAR <- (1 - beta) * RTTVAR + beta * |SRTT - R'|, beta = 1/4; SRTT <- 7/8 SRTT + 1/8 R'.
            rttvarNanos = rttvarNanos - (rttvarNanos >> 2) + (Math.abs(srttNanos - rttNanos) >> 2);
            srttNanos = Math.max(srttNanos - (srttNanos >> 3) + (rttNanos >> 3), 1);
            minRttNanos = Math.min(minRttNanos, rttNanos);
        }
        backoff = 0;
    }

    /** RFC 6298 (5.5): back off the timer after it expires. */
    public void onBackoff() {
        if (backoff < 30) {
            backoff++;
        }
    }

    /**
     * RFC 6298 (5.7): "If the timer expires awaiting the ACK of a SYN segment and the TCP
     * implementation is using an RTO less than 3 seconds, the RTO MUST be re-initialized to 3
     * seconds when data transmission begins". Called when the handshake completes after a SYN or
     * SYN-ACK retransmission; a later RTT sample replaces it as usual.
     */
    public void onHandshakeAfterSynTimeout() {
        if (srttNanos == 0) {
            unsampledRtoNanos = Math.max(initialRtoNanos, SYN_TIMEOUT_FALLBACK_NANOS);
            backoff = 0;
        }
    }

    public void resetBackoff() {
        backoff = 0;
    }

    public int backoffCount() {
        return backoff;
    }

    /** The current RTO including backoff, at most the maximum (RFC 6298 (2.4), (2.5); floor as Linux, see below). */
    public long rtoNanos() {
        // The floor bounds the variance term, as Linux applies tcp_rto_min (RTO = SRTT + max(4 RTTVAR,
        // 200 ms)) rather than the sum as RFC 6298 (2.4) writes it: the timer then always outlasts
        // a receiver's delayed ACK of up to 200 ms (Linux TCP_DELACK_MAX) by one RTT, where
        // max(SRTT + 4 RTTVAR, 200 ms) fired just before it on short paths: a spurious timeout.
        long base = srttNanos == 0 ? Math.max(unsampledRtoNanos, minRtoNanos)
                : srttNanos + Math.max(GRANULARITY_NANOS, Math.max(4 * rttvarNanos, minRtoNanos));
        long rto = backoff >= 40 ? maxRtoNanos : base << Math.min(backoff, 40);
        if (rto < 0 || rto > maxRtoNanos) {
            rto = maxRtoNanos;
        }
        return rto;
    }

    public boolean hasSample() {
        return srttNanos != 0;
    }

    public long srttNanos() {
        return srttNanos;
    }

    public long rttvarNanos() {
        return rttvarNanos;
    }

    public long minRttNanos() {
        return minRttNanos;
    }

    public long latestRttNanos() {
        return latestRttNanos;
    }
}
