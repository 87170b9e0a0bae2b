package org.mptcp4j.mptcp;

/**
 * Why a peer's MP_JOIN SYN is refused before a subflow exists for it, and the MP_TCPRST reason
 * (RFC 8684 section 3.6) its RST carries. Linux: the {@code -EPERM} returns of
 * {@code subflow_check_req} with the reason {@code subflow_add_reset_reason} gives them.
 */
public enum JoinRefusal {
    /**
     * The connection takes no subflows now: not established at the MPTCP level, either end has
     * ended its stream (a DATA_FIN queued or received: Linux's socket has left ESTABLISHED), or an
     * MP_FAIL went either way on the only subflow ("MPTCP-specific error"). Counted as
     * {@code MPTcpExtMPJoinRejected}.
     */
    NOT_ACCEPTING(1),
    /**
     * As many joins as a connection holds in their handshake are there already (a flood of join
     * SYNs for a token): "lack of resources", transient. Counted as {@code MPTcpExtMPJoinRejected}.
     */
    LACK_OF_RESOURCES(2),
    /**
     * To this end's initial address and port, which its MP_CAPABLE ruled out with flag C (RFC 8684
     * section 3.1: "will not accept additional MPTCP subflows to the source address and port");
     * "administratively prohibited". Counted as {@code MPTcpExtMPJoinRejected}.
     */
    INITIAL_ADDRESS_DENIED(3),
    /**
     * To a port that is neither the connection's nor one it announced with this address (Linux
     * {@code mptcp_pm_sport_in_anno_list}); "administratively prohibited", as Linux 6.18 answers.
     * Counted as {@code MPTcpExtMismatchPortSynRx}. Linux gets to count it only where some MPTCP
     * listener takes the SYN; at a port nothing listens on, TCP answers with a plain RST. mptcp4j
     * finds a join by its token wherever it arrives, so it counts and refuses every such join.
     */
    PORT_MISMATCH(3);

    private final int resetReason;

    JoinRefusal(int resetReason) {
        this.resetReason = resetReason;
    }

    /** The MP_TCPRST reason code of the RST that answers the SYN. */
    public int resetReason() {
        return resetReason;
    }

    /** Whether the RST sets MP_TCPRST's transient bit: a later join may succeed. */
    public boolean transientError() {
        return this == LACK_OF_RESOURCES;
    }
}
