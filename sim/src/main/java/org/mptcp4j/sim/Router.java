package org.mptcp4j.sim;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.mptcp4j.wire.IcmpCodec;

/**
 * Forwards packets by the addresses in their real IP header, in zero time: source routes first,
 * then the longest matching destination prefix (see {@link RoutingTable}). It decrements the TTL
 * or hop limit as a router must. What it cannot forward it drops and counts.
 *
 * <p>Path MTU discovery: a packet larger than the MTU of the link it would leave on, that may not
 * be fragmented (IPv4 with DF set; IPv6 always, RFC 8200 section 5), is dropped and answered with
 * an ICMP "fragmentation needed" (RFC 1191 section 4) or ICMPv6 "packet too big" (RFC 4443
 * section 3.2) naming that MTU, sent from the router's {@link #address} of the packet's family;
 * a router without one is a path MTU black hole (RFC 2923 section 2.1). No ICMP error answers an
 * ICMP error (RFC 1812 4.3.2.7, RFC 4443 2.4 (e)). Like Linux, it does not
 * rate-limit these two messages: path MTU discovery needs every one. An IPv4 packet without DF is
 * handed to the link, which refuses it (fragmentation is not modelled).
 */
public final class Router extends Node {
    private Inet4Address address4;
    private Inet6Address address6;
    private final ByteBuffer icmpOut = ByteBuffer.allocate(1280);
    private long forwarded;
    private long droppedNoRoute;
    private long droppedTtlExpired;
    private long droppedMalformed;
    private long droppedTooBig;
    private long icmpTooBigSent;

    Router(Simulation sim, String name) {
        super(sim, name);
    }

    /**
     * The router's address in one family (an IPv4 or IPv6 literal), the source of the ICMP errors
     * it sends; a second address of the same family replaces the first. The router forwards
     * packets addressed to it like any other (it runs no endpoint).
     */
    public Router address(String literal) {
        try {
            InetAddress a = InetAddress.getByAddress(Prefix.addressBytes(literal));
            if (a instanceof Inet4Address v4) {
                address4 = v4;
            } else {
                address6 = (Inet6Address) a;
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
        return this;
    }

    /** Packets to {@code destinationPrefix} (e.g. {@code "10.2.0.0/16"}) leave on {@code link}. */
    public Router route(String destinationPrefix, Link link) {
        routes.add(Prefix.parse(destinationPrefix), checkOwn(link));
        return this;
    }

    /**
     * Packets from {@code sourcePrefix} to {@code destinationPrefix} leave on {@code link}, before
     * any destination route: how the paper's Fig. 3 router keeps two paths disjoint.
     */
    public Router sourceRoute(String sourcePrefix, String destinationPrefix, Link link) {
        routes.addSourceRoute(Prefix.parse(sourcePrefix), Prefix.parse(destinationPrefix), checkOwn(link));
        return this;
    }

    private Link checkOwn(Link link) {
        if (link.from() != this) {
            throw new IllegalArgumentException(link + " does not leave " + this);
        }
        return link;
    }

    @Override
    public void receive(Packet p) {
        int version = IpPacket.version(p.data, p.length);
        if (version == 0) {
            droppedMalformed++;
            sim.pool().release(p);
            return;
        }
        Link out = routes.lookup(p.data, version);
        if (out == null) {
            droppedNoRoute++;
            sim.pool().release(p);
            return;
        }
        // As Linux's ip_forward: the TTL first, then the size, then the TTL is decremented (so an
        // ICMP quote shows the packet as it arrived).
        if ((p.data[version == 4 ? 8 : 7] & 0xFF) <= 1) {
            droppedTtlExpired++;
            sim.pool().release(p);
            return;
        }
        if (p.length > out.spec().mtu() && (version == 6 || (p.data[6] & 0x40) != 0)) {
            droppedTooBig++;
            sendTooBig(p, version, out.spec().mtu());
            sim.pool().release(p);
            return;
        }
        IpPacket.decrementTtl(p.data, version); // above 1: always succeeds
        forwarded++;
        out.receive(p);
    }

    private void sendTooBig(Packet p, int version, int mtu) {
        InetAddress from = version == 4 ? address4 : address6;
        if (from == null || isIcmpError(p, version)) {
            return;
        }
        int offset = IpPacket.sourceOffset(version);
        InetAddress to;
        try {
            to = InetAddress.getByAddress(Arrays.copyOfRange(p.data, offset, offset + IpPacket.addressLength(version)));
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
        icmpOut.clear();
        p.completeChecksum(); // the quote shows the packet as the wire carried it
        IcmpCodec.encodePacketTooBig(IcmpCodec.errorHeader(from, to), mtu, p.view(), icmpOut);
        Packet icmp = sim.pool().copyOf(icmpOut.flip());
        Link back = routes.lookup(icmp.data, version);
        if (back == null) {
            droppedNoRoute++;
            sim.pool().release(icmp);
            return;
        }
        icmpTooBigSent++;
        back.receive(icmp);
    }

    /** No ICMP error is sent about an ICMP error (RFC 1812 4.3.2.7, RFC 4443 section 2.4 (e)). */
    private static boolean isIcmpError(Packet p, int version) {
        if (version == 4) {
            int ihl = (p.data[0] & 0x0F) * 4;
            if (p.data[9] != 1 || p.length <= ihl) {
                return false;
            }
            int type = p.data[ihl] & 0xFF;
            return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
        }
        // ICMPv6 error messages have types 0 to 127 (RFC 4443 section 2.1); extension headers are not walked.
        return p.data[6] == 58 && p.length > 40 && (p.data[40] & 0x80) == 0;
    }

    public long forwarded() {
        return forwarded;
    }

    /** Linux: {@code IpOutNoRoutes}. */
    public long droppedNoRoute() {
        return droppedNoRoute;
    }

    /** TTL or hop limit reached zero (Linux counts these under {@code IpInHdrErrors} too). */
    public long droppedTtlExpired() {
        return droppedTtlExpired;
    }

    /** Linux: {@code IpInHdrErrors}. */
    public long droppedMalformed() {
        return droppedMalformed;
    }

    /**
     * Larger than the next link's MTU and not to be fragmented (Linux: {@code IpFragFails},
     * {@code Ip6InTooBigErrors}).
     */
    public long droppedTooBig() {
        return droppedTooBig;
    }

    /**
     * ICMP "fragmentation needed" and ICMPv6 "packet too big" sent (Linux: {@code IcmpOutDestUnreachs},
     * {@code Icmp6OutPktTooBigs}).
     */
    public long icmpTooBigSent() {
        return icmpTooBigSent;
    }
}
