package org.mptcp4j.wire;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;

/** The IP header fields TCP and MPTCP care about, IPv4 or IPv6 (values; the codec owns the bytes). */
public sealed interface IpHeader permits IpHeader.V4, IpHeader.V6 {
    int PROTOCOL_TCP = 6;
    int PROTOCOL_UDP = 17;

    InetAddress source();

    InetAddress destination();

    /** Upper-layer protocol (IPv4 protocol, IPv6 next header). */
    int protocol();

    /** Header bytes on the wire (20 + options for IPv4, 40 for IPv6 without extension headers). */
    int headerLength();

    /** IPv4 (RFC 791). {@code dontFragment} is set on everything TCP sends (PMTU discovery, RFC 1191). */
    record V4(Inet4Address source, Inet4Address destination, int protocol, int ttl, int tos, int identification,
            boolean dontFragment, int headerLength) implements IpHeader {
        public static V4 of(Inet4Address source, Inet4Address destination, int protocol) {
            return new V4(source, destination, protocol, 64, 0, 0, true, 20);
        }
    }

    /** IPv6 (RFC 8200), without extension headers. */
    record V6(Inet6Address source, Inet6Address destination, int protocol, int hopLimit, int trafficClass,
            int flowLabel) implements IpHeader {
        public static V6 of(Inet6Address source, Inet6Address destination, int protocol) {
            return new V6(source, destination, protocol, 64, 0, 0);
        }

        public int headerLength() {
            return 40;
        }
    }
}
