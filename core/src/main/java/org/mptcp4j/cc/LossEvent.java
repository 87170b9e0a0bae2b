package org.mptcp4j.cc;

/**
 * The start of a loss episode detected by duplicate ACKs or SACK (RFC 5681 section 3.2, RFC 6675
 * section 5): reported once per episode, when the sender enters fast recovery. An RTO is reported
 * separately through {@link CongestionController#onRto}.
 *
 * @param nowNanos when the loss was detected
 * @param bytesInFlight FlightSize when recovery starts (RFC 5681 equation 4 uses it)
 * @param bytesLost bytes marked lost so far in this episode
 * @param srttNanos the smoothed RTT, 0 before the first sample
 */
public record LossEvent(long nowNanos, long bytesInFlight, long bytesLost, long srttNanos) {}
