package org.mptcp4j.wire;

import java.nio.ByteBuffer;
import org.mptcp4j.mib.MibCounter;

/**
 * IP, TCP and options of one packet read in place, allocating nothing: the receive hot path.
 * One instance is reused for every packet by its (single) owner thread. {@link #parse} returns
 * {@code null} when the packet is a well-formed TCP segment, else the counter of the refusal, with
 * {@link #errorOffset()} counted from the start of the IP packet: the same verdicts as
 * {@link TcpPackets#decode}, which builds values instead.
 */
public final class TcpPacketView {
    private final Ipv4View ipv4 = new Ipv4View();
    private final Ipv6View ipv6 = new Ipv6View();
    private final TcpView tcp = new TcpView();
    private final ParsedOptions options = new ParsedOptions();
    private boolean isIpv6;
    private int errorOffset;

    public MibCounter parse(ByteBuffer packet) {
        return parse(packet, ChecksumPolicy.VERIFY);
    }

    public MibCounter parse(ByteBuffer packet, ChecksumPolicy policy) {
        int base = packet.position();
        if (!packet.hasRemaining()) {
            return fail(0, MibCounter.IP_IN_HDR_ERRORS);
        }
        int version = (packet.get(base) & 0xFF) >>> 4;
        int tcpAt;
        int tcpLen;
        int pseudo;
        if (version == 4) {
            isIpv6 = false;
            MibCounter r = ipv4.bind(packet);
            if (r != null) {
                return fail(ipv4.errorOffset(), r);
            }
            if (ipv4.protocol() != IpHeader.PROTOCOL_TCP) {
                return fail(9, MibCounter.IP_IN_UNKNOWN_PROTOS);
            }
            tcpAt = ipv4.payloadOffset();
            tcpLen = ipv4.payloadLength();
            pseudo = ipv4.pseudoHeaderSum();
        } else if (version == 6) {
            isIpv6 = true;
            MibCounter r = ipv6.bind(packet);
            if (r != null) {
                return fail(ipv6.errorOffset(), r);
            }
            if (ipv6.protocol() != IpHeader.PROTOCOL_TCP) {
                return fail(6, MibCounter.IP_IN_UNKNOWN_PROTOS);
            }
            tcpAt = ipv6.payloadOffset();
            tcpLen = ipv6.payloadLength();
            pseudo = ipv6.pseudoHeaderSum();
        } else {
            return fail(0, MibCounter.IP_IN_HDR_ERRORS);
        }
        MibCounter r = tcp.bind(packet, tcpAt, tcpLen, pseudo, policy);
        if (r != null) {
            return fail(tcpAt - base + tcp.errorOffset(), r);
        }
        r = TcpOptionScanner.scan(packet, tcp.optionsOffset(), tcp.optionsLength(), options);
        if (r != null) {
            return fail(tcpAt - base + TcpCodec.HEADER_LENGTH + options.errorOffset, r);
        }
        return null;
    }

    private MibCounter fail(int offset, MibCounter counter) {
        errorOffset = offset;
        return counter;
    }

    public boolean isIpv6() { return isIpv6; }
    /** Valid after a successful parse of an IPv4 packet. */
    public Ipv4View ipv4() { return ipv4; }
    /** Valid after a successful parse of an IPv6 packet. */
    public Ipv6View ipv6() { return ipv6; }
    public TcpView tcp() { return tcp; }
    public ParsedOptions options() { return options; }
    public int errorOffset() { return errorOffset; }
}
