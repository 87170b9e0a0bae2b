package org.mptcp4j.mptcp;

/**
 * How an MPTCP connection copes with a connection-level receive window that is too small for its
 * paths (the paper's section 4.1). The buffer's autotuning itself, {@code 2 * sum(BW_i) * RTT_max}
 * up to the maximum, is on when the stack's maximum receive buffer is above its initial one
 * ({@code StackConfig.receiveBufferMaxBytes}, as Linux's {@code tcp_rmem}).
 *
 * @param opportunisticRetransmission a subflow blocked by the peer's connection-level window, with
 *     room in its congestion window, sends again the data at the window's left edge that a slower
 *     subflow holds (the multipath-tcp.org kernel's {@code mptcp_rcv_buf_optimization}; upstream
 *     Linux has none): the receiver can then deliver it and open the window a slow path keeps shut
 * @param penalization in the same case the slower subflow holding the left edge has its
 *     congestion window reduced once (its congestion controller's multiplicative decrease, which
 *     halves it for Reno and the coupled algorithms), at most once per its RTT, so that it holds
 *     less of the window the next time
 * @param whenCapped what the receiver does with the slowest subflow once the tuner's target
 *     exceeds the maximum buffer
 */
public record ReceiveBufferPolicy(boolean opportunisticRetransmission, boolean penalization,
        SlowSubflowAction whenCapped) {

    public ReceiveBufferPolicy {
        java.util.Objects.requireNonNull(whenCapped, "whenCapped");
    }

    /** As upstream Linux: neither retransmission nor penalization; a capped buffer is only counted. */
    public static ReceiveBufferPolicy defaults() {
        return new ReceiveBufferPolicy(false, false, SlowSubflowAction.FLAG);
    }

    /** As the paper's kernel (multipath-tcp.org): opportunistic retransmission and penalization on. */
    public static ReceiveBufferPolicy paper() {
        return new ReceiveBufferPolicy(true, true, SlowSubflowAction.FLAG);
    }

    public ReceiveBufferPolicy withOpportunisticRetransmission(boolean value) {
        return new ReceiveBufferPolicy(value, penalization, whenCapped);
    }

    public ReceiveBufferPolicy withPenalization(boolean value) {
        return new ReceiveBufferPolicy(opportunisticRetransmission, value, whenCapped);
    }

    public ReceiveBufferPolicy withWhenCapped(SlowSubflowAction value) {
        return new ReceiveBufferPolicy(opportunisticRetransmission, penalization, value);
    }
}
