package org.mptcp4j.mptcp;

/**
 * What a client does when SYNs carrying MP_CAPABLE are dropped on the way (a firewall that drops
 * unknown TCP options: RFC 8684 section 3.7's middleboxes), as Linux does since 6.12: after
 * {@code synRetransBeforeTcpFallback} retransmissions with MP_CAPABLE the SYN goes without it
 * (plain TCP), and if that one is answered, active MPTCP is off for {@code timeoutNanos} on the
 * whole stack, twice as long for each blackhole found right after it came back on (at most 64
 * times), and back to the first period once an MPTCP connection succeeds.
 *
 * @param synRetransBeforeTcpFallback SYN retransmissions with MP_CAPABLE before one without (Linux
 *     {@code net.mptcp.syn_retrans_before_tcp_fallback}, 2): the SYN, two retransmissions with
 *     MP_CAPABLE, then plain ones
 * @param timeoutNanos how long active MPTCP stays off after a blackhole (Linux
 *     {@code net.mptcp.blackhole_timeout}, 3600 s); 0 turns the detection off
 */
public record BlackholePolicy(int synRetransBeforeTcpFallback, long timeoutNanos) {
    public BlackholePolicy {
        if (synRetransBeforeTcpFallback < 0 || timeoutNanos < 0) {
            throw new IllegalArgumentException("synRetransBeforeTcpFallback " + synRetransBeforeTcpFallback
                    + ", timeoutNanos " + timeoutNanos);
        }
    }

    public static BlackholePolicy defaults() {
        return new BlackholePolicy(2, 3_600_000_000_000L);
    }
}
