package org.mptcp4j.tcp;

/** Why a connection ended abnormally; the stack maps it to {@code ResetReason}. */
public enum TcpError {
    /** Our SYN was answered by a RST (RFC 9293 3.10.7.3: "connection refused"). */
    REFUSED,
    /** The SYN, data or keepalive retransmissions ran out. */
    TIMED_OUT,
    /** A valid RST arrived in a synchronized state ("connection reset"). */
    RESET_BY_PEER,
    /** The application aborted; we sent a RST. */
    ABORTED_LOCALLY,
    /** The peer violated the protocol and we reset the connection. */
    PROTOCOL_ERROR
}
