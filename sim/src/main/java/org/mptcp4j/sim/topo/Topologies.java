package org.mptcp4j.sim.topo;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
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
        return performanceTestbed(sim, sim, sim::connect, false, pathA, pathB, family);
    }

    /**
     * Fig. 3 on two threads: the source in partition 0, the router and the destination in
     * partition 1, so that each half does about as much work (the router forwards every packet
     * twice, data and ACKs). Each path's delay is on its source-side hop, the one between the
     * partitions, so they run up to the smaller path delay apart; the router-to-destination hop has
     * the path's rate, queue and loss and no delay. That is the same network as {@link
     * #performanceTestbed(Simulation, PathSpec, PathSpec)}'s, packet for packet: a constant delay
     * before a first-in first-out queue delays what leaves it by as much, so every packet arrives
     * when it would have with the delay after the queue (see {@link #delayFirst}). IPv4. The
     * testbed's {@code sim()} is partition 0; run it with {@code parallel.runUntil}.
     */
    public static PerformanceTestbed performanceTestbed(ParallelSimulation parallel, PathSpec pathA, PathSpec pathB) {
        if (parallel.partitions() != 2) {
            throw new IllegalArgumentException("the testbed takes 2 partitions, not " + parallel.partitions());
        }
        return performanceTestbed(parallel.partition(0), parallel.partition(1), parallel::connect, true, pathA, pathB,
                Family.IPV4);
    }

    /**
     * Fig. 3 in one simulation, laid out as the two-thread testbed is: each path's delay on its
     * source-side hop instead of its destination-side one. The same run, but for events that fall
     * on one nanosecond, as {@link #performanceTestbed(Simulation, PathSpec, PathSpec)}.
     */
    public static PerformanceTestbed delayFirst(Simulation sim, PathSpec pathA, PathSpec pathB) {
        return performanceTestbed(sim, sim, sim::connect, true, pathA, pathB, Family.IPV4);
    }

    /** How the hop between the partitions is made: inside one simulation, or between two partitions. */
    private interface Connector {
        DuplexLink connect(Node a, Node b, LinkSpec aToB, LinkSpec bToA);
    }

    /**
     * The source in {@code sim}, the destination in {@code destinationSim}. With {@code
     * delayFirst} the router is built beside the destination and each path's delay sits on the
     * source-side hop, made by {@code across}; else the router is beside the source and the delay
     * on the destination-side hop, made by {@code across}.
     */
    private static PerformanceTestbed performanceTestbed(Simulation sim, Simulation destinationSim, Connector across,
                                                         boolean delayFirst, PathSpec pathA, PathSpec pathB,
                                                         Family family) {
        Host source = sim.host("source");
        Host destination = destinationSim.host("destination");
        Router r = (delayFirst ? destinationSim : sim).router("r");
        PerformanceTestbed.Path a = path(sim, destinationSim, across, delayFirst, "A", 1, pathA, source, r, destination, family);
        PerformanceTestbed.Path b = path(sim, destinationSim, across, delayFirst, "B", 2, pathB, source, r, destination, family);
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

    private static PerformanceTestbed.Path path(Simulation sim, Simulation destinationSim, Connector across,
                                                boolean delayFirst, String name, int net, PathSpec spec,
                                                Host source, Router r, Host destination, Family family) {
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
        if (delayFirst) {
            near = across.connect(source, r, spec.delayedAccessLink(), spec.delayedAccessLink());
            far = destinationSim.connect(r, destination, spec.undelayedLink(spec.loss()), spec.undelayedLink(spec.reverseLoss()));
        } else {
            near = sim.connect(source, r, spec.accessLink());
            far = across.connect(r, destination, spec.link(spec.loss()), spec.link(spec.reverseLoss()));
        }
        source.bind(srcAddr, near.aToB());
        destination.bind(dstAddr, far.bToA());
        r.sourceRoute(srcNet, any, far.aToB())
                .sourceRoute(dstNet, any, near.bToA())
                .route(srcNet, near.bToA())
                .route(dstNet, far.aToB());
        return new PerformanceTestbed.Path(name, srcAddr, dstAddr, spec, near, far);
    }
}
