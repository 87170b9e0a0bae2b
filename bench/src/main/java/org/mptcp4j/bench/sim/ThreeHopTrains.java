package org.mptcp4j.bench.sim;

import java.nio.ByteBuffer;
import java.util.function.Supplier;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.EventQueue;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.HostContext;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.sim.Prefix;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.traffic.Ipv4Udp;

/**
 * The engine benchmark's workload: packet trains over three hops, host a → router r1 → router r2
 * → host b, 1 Gbit/s, 100 Mbit/s and 1 Gbit/s, with a 100-packet queue at the bottleneck, so that
 * every hop has queueing, serialization, propagation and (at the bottleneck) drops. The source
 * sends a train of {@code burst} copies of a real 1500-byte IPv4/UDP packet every
 * {@code trainIntervalNanos}, the cost of a minimal endpoint, so the figure is the engine's.
 */
public final class ThreeHopTrains {
    private ThreeHopTrains() {}

    /** Runs {@code trains} trains and returns the simulation (for its event count). */
    public static Simulation run(Supplier<EventQueue> queue, long seed, int trains, int burst,
                                 long trainIntervalNanos) {
        Simulation sim = new Simulation(seed, queue.get());
        Host a = sim.host("a", "10.0.0.1");
        Router r1 = sim.router("r1");
        Router r2 = sim.router("r2");
        Host b = sim.host("b", "10.0.3.1");
        LinkSpec edge = LinkSpec.of(1_000_000_000L, 100_000);
        LinkSpec neck = LinkSpec.of(100_000_000L, 5_000_000).withQueue(QueueLimit.packets(100));
        a.route("0.0.0.0/0", sim.connect(a, r1, edge).aToB());
        var middle = sim.connect(r1, r2, neck);
        var last = sim.connect(r2, b, edge);
        r1.route("10.0.3.0/24", middle.aToB());
        r2.route("10.0.3.0/24", last.aToB());
        Counter sink = new Counter();
        b.attach(sink);
        a.attach(new Trains(trains, burst, trainIntervalNanos));
        sim.run();
        if (sink.packets == 0) {
            throw new AssertionError("nothing arrived");
        }
        return sim;
    }

    /** Sends trains of one pre-built packet. */
    static final class Trains implements Endpoint {
        private final ByteBuffer packet = ByteBuffer.allocate(1500);
        private final int trains;
        private final int burst;
        private final long intervalNanos;
        private HostContext host;
        private int sent;

        Trains(int trains, int burst, long intervalNanos) {
            this.trains = trains;
            this.burst = burst;
            this.intervalNanos = intervalNanos;
            Ipv4Udp.write(packet, Prefix.addressBytes("10.0.0.1"), Prefix.addressBytes("10.0.3.1"),
                    40_000, 5001, 0, 0, 0, 1500 - Ipv4Udp.HEADERS_BYTES);
            packet.flip();
        }

        @Override
        public void attach(HostContext h) {
            host = h;
            h.wakeAt(0);
        }

        @Override
        public void onPacket(long nowNanos, ByteBuffer ipPacket) {
            // The sink side is elsewhere.
        }

        @Override
        public void onWakeup(long nowNanos) {
            for (int i = 0; i < burst; i++) {
                host.send(packet);
            }
            sent++;
            host.wakeAt(sent < trains ? nowNanos + intervalNanos : Nanos.NEVER);
        }
    }

    /** Counts arrivals. */
    static final class Counter implements Endpoint {
        long packets;

        @Override
        public void attach(HostContext h) {
            // Receives only.
        }

        @Override
        public void onPacket(long nowNanos, ByteBuffer ipPacket) {
            packets++;
        }

        @Override
        public void onWakeup(long nowNanos) {
            // Never asks for one.
        }
    }
}
