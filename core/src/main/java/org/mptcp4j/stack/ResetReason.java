package org.mptcp4j.stack;

import org.mptcp4j.tcp.TcpError;

/** Why a connection failed or was reset (later also the MPTCP MP_TCPRST reasons). */
public enum ResetReason {
    /** The peer answered our SYN with a RST: nobody listens there. */
    REFUSED,
    /** The SYN, data or keepalive retransmissions ran out. */
    TIMED_OUT,
    /** The peer reset an established connection. */
    RESET_BY_PEER,
    /** The application aborted the connection (or closed it with unread data). */
    ABORTED_LOCALLY,
    /** The peer violated the protocol. */
    PROTOCOL_ERROR;

    static ResetReason of(TcpError error) {
        return switch (error) {
            case REFUSED -> REFUSED;
            case TIMED_OUT -> TIMED_OUT;
            case RESET_BY_PEER -> RESET_BY_PEER;
            case ABORTED_LOCALLY -> ABORTED_LOCALLY;
            case PROTOCOL_ERROR -> PROTOCOL_ERROR;
        };
    }
}
