package org.mptcp4j.sim;

/**
 * Forwards packets by the addresses in their real IP header, in zero time: source routes first,
 * then the longest matching destination prefix (see {@link RoutingTable}). It decrements the TTL
 * or hop limit as a router must. What it cannot forward it drops and counts; it sends no ICMP.
 */
public final class Router extends Node {
    private long forwarded;
    private long droppedNoRoute;
    private long droppedTtlExpired;
    private long droppedMalformed;

    Router(Simulation sim, String name) {
        super(sim, name);
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
        if (!IpPacket.decrementTtl(p.data, version)) {
            droppedTtlExpired++;
            sim.pool().release(p);
            return;
        }
        forwarded++;
        out.receive(p);
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
}
