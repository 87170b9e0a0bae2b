package org.mptcp4j.sim.topo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Link;
import org.mptcp4j.sim.Node;
import org.mptcp4j.sim.ParallelSimulation;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;

/** The paper's two testbeds, ready made. Endpoints are attached by the caller. */
public final class Topologies {
    private Topologies() {}

    /** The seed of the topologies built without an explicit {@link Simulation}. */
    public static final long DEFAULT_SEED = 1;

    public static final long GBPS = 1_000_000_000L;
    public static final long MBPS = 1_000_000L;

    /** Fig. 2 with the paper's rates: 1 Gbps access links, a 100 Mbps bottleneck. */
    public static CongestionTestbed congestionTestbed() {
        return congestionTestbed(new Simulation(DEFAULT_SEED),
                LinkSpec.of(GBPS, Duration.ofMillis(0)),
                PathSpec.of(100 * MBPS, Duration.ofMillis(10)));
    }

    /**
     * Fig. 2: hosts {@code tcp} ({@value CongestionTestbed#TCP_SENDER_ADDRESS}) and {@code mptcp}
     * ({@value CongestionTestbed#MPTCP_SENDER_ADDRESS}) on {@code access} links into router
     * {@code r}, and the {@code server} ({@value CongestionTestbed#SERVER_ADDRESS}) behind the
     * {@code bottleneck} (its loss applies towards the server, its reverse loss towards the senders).
     * The paper gives no delays; choose them in the specs.
     */
    public static CongestionTestbed congestionTestbed(Simulation sim, LinkSpec access, PathSpec bottleneck) {
        Host tcp = sim.host("tcp", CongestionTestbed.TCP_SENDER_ADDRESS);
        Host mptcp = sim.host("mptcp", CongestionTestbed.MPTCP_SENDER_ADDRESS);
        Router r = sim.router("r");
        Host server = sim.host("server", CongestionTestbed.SERVER_ADDRESS);
        DuplexLink tcpAccess = sim.connect(tcp, r, access);
        DuplexLink mptcpAccess = sim.connect(mptcp, r, access);
        DuplexLink neck = sim.connect(r, server, bottleneck.link(bottleneck.loss()),
                bottleneck.link(bottleneck.reverseLoss()));
        tcp.route("0.0.0.0/0", tcpAccess.aToB());
        mptcp.route("0.0.0.0/0", mptcpAccess.aToB());
        server.route("0.0.0.0/0", neck.bToA());
        r.route(CongestionTestbed.TCP_SENDER_ADDRESS + "/32", tcpAccess.bToA())
                .route(CongestionTestbed.MPTCP_SENDER_ADDRESS + "/32", mptcpAccess.bToA())
                .route(CongestionTestbed.SERVER_ADDRESS + "/32", neck.aToB());
        return new CongestionTestbed(sim, tcp, mptcp, r, server, tcpAccess, mptcpAccess, neck);
    }

    /** Fig. 3 in a new simulation seeded with {@link #DEFAULT_SEED}. */
    public static PerformanceTestbed performanceTestbed(PathSpec pathA, PathSpec pathB) {
        return performanceTestbed(new Simulation(DEFAULT_SEED), pathA, pathB);
    }

    /**
     * Fig. 3: host {@code source} with 198.18.11.2 on path A and 198.18.21.2 on path B, router {@code r},
     * host {@code destination} with 198.18.12.2 on path A and 198.18.22.2 on path B. Each host sends from
     * an address on that address's path; the router forwards by source address first, so a packet
     * from a path-A address always stays on path A (the paper: "the router does not cross-route").
     */
    public static PerformanceTestbed performanceTestbed(Simulation sim, PathSpec pathA, PathSpec pathB) {
        return performanceTestbed(sim, pathA, pathB, Family.IPV4);
    }

    /** The address family of a testbed's hosts. */
    public enum Family { IPV4, IPV6 }

    /**
     * Fig. 3 in one address family. IPv6 uses {@code fd00:1:1::2} (source, A),
     * {@code fd00:2:1::2} (source, B), {@code fd00:1:2::2} (destination, A) and
     * {@code fd00:2:2::2} (destination, B), with /48 prefixes in the role of the IPv4 /24s.
     */
    public static PerformanceTestbed performanceTestbed(Simulation sim, PathSpec pathA, PathSpec pathB,
                                                        Family family) {
        return performanceTestbed(sim, sim, sim::link, false, pathA, pathB, family);
    }

    /**
     * Fig. 3 on two threads, {@link #splitRouter}'s layout: the source and the router's way back
     * ({@code r-back}) in partition 0, the router's way there ({@code r}) and the destination in
     * partition 1, so that each half does about as much work (the sender and the ACKs' forwarding;
     * the data's forwarding and the receiver). Every hop between the partitions carries its path's
     * delay, so they run up to the smaller path delay apart. IPv4. The testbed's {@code sim()} is
     * partition 0 and its {@code router()} is {@code r}; run it with {@code parallel.runUntil}.
     */
    public static PerformanceTestbed performanceTestbed(ParallelSimulation parallel, PathSpec pathA, PathSpec pathB) {
        if (parallel.partitions() != 2) {
            throw new IllegalArgumentException("the testbed takes 2 partitions, not " + parallel.partitions());
        }
        return performanceTestbed(parallel.partition(0), parallel.partition(1), parallel::link, true, pathA, pathB,
                Family.IPV4);
    }

    /**
     * Fig. 3 in one simulation, laid out as the two-thread testbed is: the router split by
     * direction, {@code r} forwarding towards the destination and {@code r-back} towards the
     * source, each path's delay on the hop into {@code r} (source to {@code r}) and on the hop out
     * of the destination ({@code destination} to {@code r-back}); the other hops have the path's
     * rate and queue (and loss, towards the destination) without delay. That is Fig. 3's network,
     * packet for packet: the way back is the usual one through another router node, and on the
     * way there a constant delay before a first-in first-out queue delays what leaves it by as
     * much as the delay after it, so every packet reaches its host when it would in {@link
     * #performanceTestbed(Simulation, PathSpec, PathSpec)} (the same run but for events that fall
     * on one nanosecond). Neither router can reach the hosts it does not forward to: given an
     * address, {@code r}'s ICMP errors find no route.
     */
    public static PerformanceTestbed splitRouter(Simulation sim, PathSpec pathA, PathSpec pathB) {
        return performanceTestbed(sim, sim, sim::link, true, pathA, pathB, Family.IPV4);
    }

    /** How a hop of the split layout whose delay lets partitions run apart is made: in one simulation or between two. */
    private interface Linker {
        Link link(Node from, Node to, LinkSpec spec);
    }

    /**
     * The source in {@code sim}, the destination in {@code destinationSim}. With {@code split} the
     * router is split by direction ({@link #splitRouter}), {@code r} beside the destination and
     * {@code r-back} beside the source, and the delayed hops are made by {@code across}; else one
     * router {@code r} in {@code sim}, which is then {@code destinationSim} too.
     */
    private static PerformanceTestbed performanceTestbed(Simulation sim, Simulation destinationSim, Linker across,
                                                         boolean split, PathSpec pathA, PathSpec pathB,
                                                         Family family) {
        Host source = sim.host("source");
        Host destination = destinationSim.host("destination");
        Router r = destinationSim.router("r");
        Router back = split ? sim.router("r-back") : r;
        PerformanceTestbed.Path a = path(sim, destinationSim, across, split, "A", 1, pathA, source, r, back, destination, family);
        PerformanceTestbed.Path b = path(sim, destinationSim, across, split, "B", 2, pathB, source, r, back, destination, family);
        String any = family == Family.IPV4 ? "0.0.0.0/0" : "::/0";
        source.route(any, a.sourceSide().aToB());
        destination.route(any, a.destinationSide().bToA());
        return new PerformanceTestbed(sim, source, destination, r, a, b);
    }

    /**
     * A client with one address per path ({@code 198.18.11.2} on the first, {@code 198.18.21.2} on
     * the second, ...) and a server with one address ({@value MultipathTestbed#SERVER_ADDRESS}),
     * joined through router {@code r}: see {@link MultipathTestbed}. Up to nine paths.
     */
    public static MultipathTestbed multipathTestbed(Simulation sim, PathSpec... paths) {
        if (paths.length < 1 || paths.length > 9) {
            throw new IllegalArgumentException(paths.length + " paths (1 to 9)");
        }
        Host client = sim.host("client");
        Host server = sim.host("server", MultipathTestbed.SERVER_ADDRESS);
        Router r = sim.router("r");
        DuplexLink serverLink = sim.connect(r, server, LinkSpec.of(10 * GBPS, 0));
        server.route("0.0.0.0/0", serverLink.bToA());
        r.route("198.18.0.0/24", serverLink.aToB());
        List<MultipathTestbed.Path> list = new ArrayList<>(paths.length);
        for (int i = 0; i < paths.length; i++) {
            PathSpec spec = paths[i];
            String address = "198.18." + (i + 1) + "1.2";
            client.address(address);
            DuplexLink link = sim.connect(client, r, spec.link(spec.loss()), spec.link(spec.reverseLoss()));
            client.bind(address, link.aToB());
            r.route("198.18." + (i + 1) + "1.0/24", link.bToA());
            list.add(new MultipathTestbed.Path(String.valueOf((char) ('A' + i)), address, spec, link));
        }
        client.route("0.0.0.0/0", list.getFirst().link().aToB());
        return new MultipathTestbed(sim, client, server, r, list, serverLink);
    }

    private static PerformanceTestbed.Path path(Simulation sim, Simulation destinationSim, Linker across,
                                                boolean split, String name, int net, PathSpec spec,
                                                Host source, Router r, Router back, Host destination, Family family) {
        boolean v4 = family == Family.IPV4;
        String srcAddr = v4 ? "198.18." + net + "1.2" : "fd00:" + net + ":1::2";
        String dstAddr = v4 ? "198.18." + net + "2.2" : "fd00:" + net + ":2::2";
        String srcNet = v4 ? "198.18." + net + "1.0/24" : "fd00:" + net + ":1::/48";
        String dstNet = v4 ? "198.18." + net + "2.0/24" : "fd00:" + net + ":2::/48";
        String any = v4 ? "0.0.0.0/0" : "::/0";
        source.address(srcAddr);
        destination.address(dstAddr);
        DuplexLink near;
        DuplexLink far;
        if (split) {
            near = new DuplexLink(across.link(source, r, spec.delayedAccessLink()), sim.link(back, source, spec.accessLink()));
            far = new DuplexLink(destinationSim.link(r, destination, spec.undelayedLink(spec.loss())),
                    across.link(destination, back, spec.link(spec.reverseLoss())));
        } else {
            near = sim.connect(source, r, spec.accessLink());
            far = sim.connect(r, destination, spec.link(spec.loss()), spec.link(spec.reverseLoss()));
        }
        source.bind(srcAddr, near.aToB());
        destination.bind(dstAddr, far.bToA());
        if (split) {
            r.sourceRoute(srcNet, any, far.aToB()).route(dstNet, far.aToB());
            back.sourceRoute(dstNet, any, near.bToA()).route(srcNet, near.bToA());
        } else {
            r.sourceRoute(srcNet, any, far.aToB())
                    .sourceRoute(dstNet, any, near.bToA())
                    .route(srcNet, near.bToA())
                    .route(dstNet, far.aToB());
        }
        return new PerformanceTestbed.Path(name, srcAddr, dstAddr, spec, near, far);
    }
}
