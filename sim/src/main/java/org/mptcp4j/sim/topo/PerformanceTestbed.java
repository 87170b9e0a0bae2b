package org.mptcp4j.sim.topo;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;

/**
 * The paper's performance testbed (its Fig. 3): a source and a destination, each with one address
 * per path, joined through one router by two disjoint paths A and B. The router never cross-routes:
 * a packet from a path's address leaves on the same path (source routes).
 *
 * @param pathA the source's A address, the destination's A address and the two hops of path A
 */
public record PerformanceTestbed(Simulation sim, Host source, Host destination, Router router,
                                 Path pathA, Path pathB) {

    /**
     * The four links into the hosts, by host and path ({@code "into source over A"}, ...), in name
     * order: what each host receives, named alike in every layout (the routers they come from are
     * not: {@code r} or {@code r-back}).
     */
    public Map<String, Link> linksIntoHosts() {
        Map<String, Link> links = new TreeMap<>();
        for (Path p : List.of(pathA, pathB)) {
            for (Link l : List.of(p.sourceSide().bToA(), p.destinationSide().aToB())) {
                links.put("into " + l.to().name() + " over " + p.name(), l);
            }
        }
        return links;
    }

    /**
     * One path: {@code sourceSide} joins the source and the router (rate and queue of the path, no
     * delay), {@code destinationSide} the router and the destination (rate, queue, one-way delay and
     * loss of the path); each a pair of links whose {@code aToB} points towards the destination. In
     * the layout of {@link Topologies#splitRouter} and of two threads, {@code sourceSide} is the
     * hop from the source into {@code r} (with the delay) and from {@code r-back} to the source,
     * {@code destinationSide} the hop from {@code r} to the destination and from the destination
     * into {@code r-back} (with the delay).
     */
    public record Path(String name, String sourceAddress, String destinationAddress, PathSpec spec,
                       DuplexLink sourceSide, DuplexLink destinationSide) {
        /** Takes both hops down at {@code atNanos}, in both directions. */
        public Path downAt(long atNanos) {
            sourceSide.downAt(atNanos);
            destinationSide.downAt(atNanos);
            return this;
        }

        public Path upAt(long atNanos) {
            sourceSide.upAt(atNanos);
            destinationSide.upAt(atNanos);
            return this;
        }
    }
}
