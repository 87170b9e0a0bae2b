package org.mptcp4j.mib;

/**
 * Every counter the engine keeps, each with the name Linux's {@code nstat} prints for the same
 * event where one exists (TcpExt*, MPTcpExt*, Tcp*), so a run reads side by side with the kernel
 * peer's counters. Counters Linux lacks carry the prefix {@code Mptcp4j}.
 *
 * <p>Blocks: wire decoding, then TCP, then MPTCP. Add new constants to the end of their block.
 */
public enum MibCounter {
    // ---- wire: refusals of the decoders (a packet or option dropped before any state saw it)
    /** An IP packet too short, with a bad version, header length or total length. */
    IP_IN_HDR_ERRORS("IpInHdrErrors"),
    /** An IP packet whose header checksum failed. */
    IP_IN_CSUM_ERRORS("Mptcp4jIpInCsumErrors"),
    /** An IP packet not addressed to this host. */
    IP_IN_ADDR_ERRORS("IpInAddrErrors"),
    /** An IP packet carrying a protocol other than TCP. */
    IP_IN_UNKNOWN_PROTOS("IpInUnknownProtos"),
    /** A TCP segment shorter than its header or with a bad data offset. */
    TCP_IN_ERRS("TcpInErrs"),
    /** A TCP segment whose checksum failed (Linux counts it in TcpInCsumErrors). */
    TCP_IN_CSUM_ERRORS("TcpInCsumErrors"),
    /** A TCP option whose length runs past the header or is below 2: the option space is ignored. */
    TCP_OPTION_MALFORMED("Mptcp4jTcpOptionMalformed"),
    /** An MPTCP option of a length its subtype does not allow: ignored (Linux mptcp_parse_option). */
    MPTCP_OPTION_MALFORMED("Mptcp4jMptcpOptionMalformed"),
    /** An IPv4 or IPv6 fragment: this stack sets DF and does not reassemble, so it is dropped. */
    IP_IN_FRAGMENTS("Mptcp4jIpInFragments"),
    ;

    private final String nstatName;

    MibCounter(String nstatName) {
        this.nstatName = nstatName;
    }

    /** The name as {@code nstat} prints it. */
    public String nstatName() {
        return nstatName;
    }
}
