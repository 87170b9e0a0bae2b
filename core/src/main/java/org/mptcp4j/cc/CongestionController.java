package org.mptcp4j.cc;

/**
 * The congestion control of one subflow: hooks the TCP sender calls, and the window it reads
 * before every transmission (Linux: {@code struct tcp_congestion_ops}; quinn: {@code Controller}).
 * Implementations are single-threaded and never read a clock: time comes with each event.
 *
 * <p>Coupled algorithms (MPTCP LIA, OLIA, BALIA) implement the same interface and read the other
 * members of their {@link CoupledGroup}; uncoupled ones ignore the group.
 */
public interface CongestionController {

    /** The congestion window in bytes (cwnd); the sender keeps bytes in flight at or below it. */
    long windowBytes();

    /** The slow start threshold in bytes (ssthresh); {@link Long#MAX_VALUE} until the first loss. */
    long ssthreshBytes();

    /** Whether the controller is in slow start (RFC 5681 section 3.1: cwnd below ssthresh). */
    default boolean inSlowStart() {
        return windowBytes() < ssthreshBytes();
    }

    /** New data acknowledged. Called once per ACK that advances the cumulative acknowledgement. */
    void onAck(AckEvent event);

    /** A loss episode begins (fast retransmit); reduce the window once for the whole episode. */
    void onCongestion(LossEvent event);

    /** The retransmission timer expired (RFC 5681 section 3.1 equation 4 and the loss window). */
    void onRto(long nowNanos, long bytesInFlight);

    /**
     * The last window reduction ({@link #onCongestion} or {@link #onRto}) was spurious: the
     * sender learned from timestamps (RFC 5682 F-RTO, RFC 3522 Eifel) or D-SACKs (RFC 3708) that
     * nothing was lost. Restore the window and threshold from before it (Linux {@code undo_cwnd}:
     * cwnd at least the prior cwnd, ssthresh the prior ssthresh).
     */
    default void onUndo(long nowNanos) {}

    /** Fast recovery ended: every byte outstanding at its start has been acknowledged. */
    default void onRecoveryExit(long nowNanos) {}

    /**
     * The sender starts transmitting after a pause: nothing was in flight for {@code idleNanos}
     * (Linux {@code CA_EVENT_TX_START}). CUBIC keeps idle time out of its epoch (RFC 9438 section
     * 5.8); after an idle period longer than {@code rtoNanos} the window restarts from at most the
     * initial window (RFC 5681 section 4.1). Called before the segment's {@link #onPacketSent}.
     */
    default void onTransmitStart(long nowNanos, long idleNanos, long rtoNanos) {}

    /** A segment left the sender (new data or a retransmission). */
    default void onPacketSent(long nowNanos, long bytes, long bytesInFlight) {}

    /** The smoothed RTT last reported to this controller, for coupled algorithms reading the group. */
    default long srttNanos() {
        return 0;
    }

    /** The algorithm's name, as Linux prints it in {@code ss -i} ("reno", "cubic"). */
    String name();
}
