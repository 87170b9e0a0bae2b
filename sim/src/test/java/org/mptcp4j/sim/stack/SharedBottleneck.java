package org.mptcp4j.sim.stack;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.QueueLimit;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;

/**
 * Test fixture: {@code n} senders (10.0.{i}.2) on fast access links into a router, a bottleneck to
 * the server (10.0.100.2) that runs one {@link Sink}; each sender runs an endless {@link BulkSender}.
 */
final class SharedBottleneck {
    static final String SERVER = "10.0.100.2";
    static final int PORT = 5001;

    final Simulation sim;
    final Host server;
    final DuplexLink neck;
    final Sink sink = new Sink(PORT);
    final List<BulkSender> senders = new ArrayList<>();
    final List<StackEndpoint> endpoints = new ArrayList<>();

    SharedBottleneck(long seed, int flows, long rateBps, Duration oneWayDelay, int queuePackets, StackConfig config,
            long staggerNanos) {
        sim = new Simulation(seed);
        Router r = sim.router("r");
        server = sim.host("server", SERVER);
        LinkSpec neckSpec = LinkSpec.of(rateBps, oneWayDelay).withQueue(QueueLimit.packets(queuePackets));
        neck = sim.connect(r, server, neckSpec);
        server.route("0.0.0.0/0", neck.bToA());
        r.route(SERVER + "/32", neck.aToB());
        server.attach(new StackEndpoint(config).add(sink));
        LinkSpec access = LinkSpec.of(10 * rateBps, Duration.ofMillis(1));
        for (int i = 1; i <= flows; i++) {
            String addr = "10.0." + i + ".2";
            Host h = sim.host("s" + i, addr);
            DuplexLink l = sim.connect(h, r, access);
            h.route("0.0.0.0/0", l.aToB());
            r.route(addr + "/32", l.bToA());
            BulkSender app = new BulkSender(new InetSocketAddress(BulkScenario.address(SERVER), PORT), 1L << 50, seed * 100 + i,
                    (i - 1) * staggerNanos);
            StackEndpoint ep = new StackEndpoint(config).add(app);
            h.attach(ep);
            senders.add(app);
            endpoints.add(ep);
            if (app.startAtNanos() > 0) {
                sim.schedule(app.startAtNanos(), (now, arg) -> app.start(ep, now), null);
            }
        }
    }

    /** Bytes each flow delivered so far, in sender order (flows are told apart by their source address). */
    long[] bytesPerFlow() {
        long[] out = new long[senders.size()];
        StackEndpoint se = (StackEndpoint) server.endpoint();
        for (Sink.Flow f : sink.flows()) {
            var info = se.stack().info(f.conn());
            if (info != null) {
                byte[] a = info.remote().getAddress().getAddress();
                out[(a[2] & 0xFF) - 1] = f.bytes();
            }
        }
        return out;
    }

    /** Jain's fairness index of the given throughputs (1 = perfectly fair). */
    static double jain(double[] x) {
        double sum = 0;
        double squares = 0;
        for (double v : x) {
            sum += v;
            squares += v * v;
        }
        return sum * sum / (x.length * squares);
    }
}
