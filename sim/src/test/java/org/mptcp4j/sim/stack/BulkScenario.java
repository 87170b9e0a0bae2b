package org.mptcp4j.sim.stack;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.StackConfig;

/**
 * Test fixture: host {@code a} (10.0.0.1) runs a {@link BulkSender} towards host {@code b}
 * (10.0.0.2), which runs a {@link Sink}, over one link in each direction (MTU 1500 unless the
 * specs say otherwise).
 */
final class BulkScenario {
    static final String A = "10.0.0.1";
    static final String B = "10.0.0.2";
    static final int PORT = 5001;

    final long seed;
    final Simulation sim;
    final Host a;
    final Host b;
    final DuplexLink link;
    final StackEndpoint sender;
    final StackEndpoint receiver;
    final BulkSender app;
    final Sink sink = new Sink(PORT);

    BulkScenario(long seed, LinkSpec forward, LinkSpec reverse, StackConfig config, long bytes) {
        this.seed = seed;
        sim = new Simulation(seed);
        a = sim.host("a", A);
        b = sim.host("b", B);
        link = sim.connect(a, b, forward, reverse);
        a.route("0.0.0.0/0", link.aToB());
        b.route("0.0.0.0/0", link.bToA());
        receiver = new StackEndpoint(config).add(sink);
        b.attach(receiver);
        app = new BulkSender(new InetSocketAddress(address(B), PORT), bytes, seed);
        sender = new StackEndpoint(config).add(app);
        a.attach(sender);
    }

    /** Runs until the sink has read the whole stream (or the virtual deadline passes); returns whether it did. */
    boolean run(long maxVirtualNanos) {
        return sim.runUntil(() -> !sink.flows().isEmpty() && sink.flow().isComplete(), maxVirtualNanos);
    }

    /** Packets the links refused for exceeding their MTU (1500 by default): a correct sender has none. */
    long mtuDrops() {
        return link.aToB().counters().mtuDrops() + link.bToA().counters().mtuDrops();
    }

    /** Application goodput of the flow in bits per second, from its first to its last byte. */
    double goodputBps() {
        Sink.Flow f = sink.flow();
        return f.bytes() * 8.0 / Nanos.toSeconds(f.eofNanos() - f.firstByteNanos());
    }

    @Override
    public String toString() {
        return "seed " + seed + " at " + Nanos.toSeconds(sim.nowNanos()) + " s: sender " + app.info()
                + "\n sender mib " + sender.stack().mib() + "\n receiver mib " + receiver.stack().mib()
                + "\n links " + link.aToB().counters() + " / " + link.bToA().counters();
    }

    static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }
}
