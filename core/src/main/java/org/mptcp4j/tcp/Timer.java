package org.mptcp4j.tcp;

/** The timers of one connection (Linux: {@code icsk_retransmit_timer}, {@code icsk_delack_timer} ...). */
public enum Timer {
    /** RFC 6298 retransmission timer; also the SYN and SYN-ACK retransmission timer. */
    RETRANSMIT,
    /** Delayed acknowledgement (RFC 9293 section 3.8.6.3, RFC 5681 section 4.2). */
    DELAYED_ACK,
    /** Persist timer: zero-window probes (RFC 9293 section 3.8.6.1). */
    PERSIST,
    /** Keepalive (RFC 9293 section 3.8.4, off by default). */
    KEEPALIVE,
    /** RFC 8985 section 7: the tail loss probe timeout (PTO). */
    LOSS_PROBE,
    /** RFC 8985 section 6.3: RACK's reordering timer (Linux ICSK_TIME_REO_TIMEOUT). */
    REORDER,
    /** 2MSL in TIME_WAIT; the FIN_WAIT_2 timeout of a connection the application closed. */
    TIME_WAIT
}
