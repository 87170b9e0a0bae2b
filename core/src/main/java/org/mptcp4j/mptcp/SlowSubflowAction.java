package org.mptcp4j.mptcp;

/**
 * What the connection does with the subflow the receive-buffer tuner names as the slowest when
 * the paper's target {@code 2 * sum(BW_i) * RTT_max} exceeds the maximum buffer (section 4.1:
 * "This should be used as a hint to indicate that a subflow is underperforming and disable the
 * slowest path"). It is the receiver that sees the hint; it can only ask the sender.
 */
public enum SlowSubflowAction {
    /** Count it ({@code MPTcpExtRcvBufCapped}) and show it in {@link MptcpInfo}; nothing else. The default. */
    FLAG,
    /**
     * Mark the subflow backup and tell the peer with MP_PRIO (RFC 8684 section 3.3.8): both ends
     * then send on it only while no regular subflow works, and the subflow stays as a spare.
     */
    BACKUP,
    /**
     * Reset the subflow with MP_TCPRST reason 0x05, "unacceptable performance" (RFC 8684 section
     * 3.6: "the performance of this subflow was too low compared to the other subflows"); its data
     * not yet DATA_ACKed goes on the others.
     */
    CLOSE;

    /** By the name the CLI uses: {@code flag}, {@code backup}, {@code close}. */
    public static SlowSubflowAction byName(String name) {
        return valueOf(name.toUpperCase(java.util.Locale.ROOT));
    }
}
