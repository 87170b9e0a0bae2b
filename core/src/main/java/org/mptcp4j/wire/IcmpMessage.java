package org.mptcp4j.wire;

/**
 * A decoded ICMP (RFC 792) or ICMPv6 (RFC 4443) message, as far as a TCP host reads one: the two
 * messages of path MTU discovery in full, anything else by its type and code only.
 */
public sealed interface IcmpMessage permits IcmpMessage.PacketTooBig, IcmpMessage.Other {
    /** ICMP protocol number in the IPv4 header (RFC 792). */
    int PROTOCOL_ICMP = 1;
    /** ICMPv6 next-header value (RFC 4443). */
    int PROTOCOL_ICMPV6 = 58;

    /** ICMP "destination unreachable" (RFC 792). */
    int ICMP_DEST_UNREACH = 3;
    /** Its code "fragmentation needed and DF set" (RFC 792), with the next-hop MTU (RFC 1191 section 4). */
    int ICMP_FRAG_NEEDED = 4;
    /** ICMPv6 "packet too big" (RFC 4443 section 3.2). */
    int ICMPV6_PACKET_TOO_BIG = 2;

    /** The IP header the message arrived in: its source is the router that sent it. */
    IpHeader ip();

    /**
     * ICMP type 3 code 4 (RFC 1191) or ICMPv6 type 2 (RFC 8201): a router could not forward
     * {@code quoted} because its next link carries packets of at most {@code mtu} bytes. An old
     * IPv4 router sends {@code mtu} 0 (RFC 1191 section 5).
     */
    record PacketTooBig(IpHeader ip, int mtu, Quote quoted) implements IcmpMessage {}

    /** Any other message, not read further. */
    record Other(IpHeader ip, int type, int code) implements IcmpMessage {}

    /**
     * The start of the packet an ICMP error quotes (RFC 792: its IP header and first 8 bytes of
     * payload; RFC 4443 section 2.4: as much as fits): the IP header's values, the length the
     * packet had, and the first 8 bytes of the transport header, which for TCP are the ports and
     * the sequence number (RFC 9293 section 3.1).
     *
     * @param header       the quoted IP header (IPv4 checksum and options not checked)
     * @param packetLength the quoted packet's total length (IPv4) or 40 + payload length (IPv6)
     * @param sourcePort   the first 16 bits of the transport header
     * @param destinationPort the next 16 bits
     * @param sequence     the next 32 bits: the TCP sequence number when {@code header.protocol()} is TCP
     */
    record Quote(IpHeader header, int packetLength, int sourcePort, int destinationPort, int sequence) {}
}
