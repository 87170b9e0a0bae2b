package org.mptcp4j.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Chooses the outgoing link of a packet. Source routes come first (policy routing, as {@code ip
 * rule from <prefix>} on Linux): the longest matching source prefix whose destination prefix also
 * matches wins; then the longest matching destination prefix. Topologies are small, so a linear
 * scan of entries kept sorted by specificity is both simple and fast.
 */
public final class RoutingTable {
    /**
     * A route; an IPv4 one also keeps its prefixes as {@code (address & mask) == net} ints, since a
     * router looks up every packet it forwards and one route per subflow's path makes the scan grow
     * with the subflows.
     */
    private record Entry(Prefix source, Prefix destination, Link link, boolean v4, int sourceNet, int sourceMask,
            int destinationNet, int destinationMask) {
        Entry(Prefix source, Prefix destination, Link link) {
            this(source, destination, link,
                    (source == null || source.address().length == 4) && destination.address().length == 4,
                    net(source), mask(source), net(destination), mask(destination));
        }

        private static int mask(Prefix p) {
            return p == null || p.length() == 0 || p.address().length != 4 ? 0 : -1 << (32 - p.length());
        }

        private static int net(Prefix p) {
            return p == null || p.address().length != 4 ? 0 : IpPacket.int32(p.address(), 0) & mask(p);
        }
    }

    private final List<Entry> sourceRoutes = new ArrayList<>();
    private final List<Entry> routes = new ArrayList<>();
    private Entry[] sourceArray = new Entry[0];
    private Entry[] routeArray = new Entry[0];

    /** Packets to {@code destination} leave on {@code link}. */
    public void add(Prefix destination, Link link) {
        routes.add(new Entry(null, destination, link));
        routes.sort(Comparator.comparingInt((Entry e) -> -e.destination.length()));
        routeArray = routes.toArray(Entry[]::new);
    }

    /** Packets from {@code source} to {@code destination} leave on {@code link}. */
    public void addSourceRoute(Prefix source, Prefix destination, Link link) {
        sourceRoutes.add(new Entry(source, destination, link));
        sourceRoutes.sort(Comparator.comparingInt((Entry e) -> -e.source.length())
                .thenComparingInt(e -> -e.destination.length()));
        sourceArray = sourceRoutes.toArray(Entry[]::new);
    }

    /** The link for a packet of this IP version, or null when no route matches. */
    public Link lookup(byte[] p, int version) {
        int src = IpPacket.sourceOffset(version);
        int len = IpPacket.addressLength(version);
        int dst = src + len;
        if (version == 4) {
            int from = IpPacket.int32(p, src);
            int to = IpPacket.int32(p, dst);
            for (Entry e : sourceArray) {
                if (e.v4 && (from & e.sourceMask) == e.sourceNet && (to & e.destinationMask) == e.destinationNet) {
                    return e.link;
                }
            }
            for (Entry e : routeArray) {
                if (e.v4 && (to & e.destinationMask) == e.destinationNet) {
                    return e.link;
                }
            }
            return null;
        }
        for (Entry e : sourceArray) {
            if (e.source.matches(p, src, len) && e.destination.matches(p, dst, len)) {
                return e.link;
            }
        }
        for (Entry e : routeArray) {
            if (e.destination.matches(p, dst, len)) {
                return e.link;
            }
        }
        return null;
    }
}
