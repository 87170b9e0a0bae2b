package org.mptcp4j.sim.topo;

import java.util.List;
import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;

/**
 * A multihomed client and a single-homed server (the common MPTCP deployment, and what Linux's
 * {@code subflow} endpoints are for): the client has one address per path, and each path is one
 * link between the client and router {@code r} with the path's rate, queue, one-way delay and loss.
 * The router reaches the server over a fast link (10 Gbit/s, no delay, no loss) that is never the
 * bottleneck. The router routes each client address back over its own path, so a subflow from a
 * client address keeps to that path in both directions: unlike {@link PerformanceTestbed}, a
 * subflow from the client's second address to the server's only address does not come back
 * over the first path.
 *
 * @param paths path {@code i} (from 0) joins the client address {@code 198.18.(i+1)1.2} to the router
 */
public record MultipathTestbed(Simulation sim, Host client, Host server, Router router, List<Path> paths,
                               DuplexLink serverLink) {
    /** The server's address. */
    public static final String SERVER_ADDRESS = "198.18.0.2";

    public MultipathTestbed {
        paths = List.copyOf(paths);
    }

    /**
     * One path: {@code link.aToB()} carries the path from the client towards the server (with the
     * spec's {@code loss}), {@code link.bToA()} back (with its {@code reverseLoss}).
     */
    public record Path(String name, String clientAddress, PathSpec spec, DuplexLink link) {
        /** Takes the path down at {@code atNanos}, in both directions: what is queued and on the wire is lost. */
        public Path downAt(long atNanos) {
            link.downAt(atNanos);
            return this;
        }

        public Path upAt(long atNanos) {
            link.upAt(atNanos);
            return this;
        }
    }

    public Path path(int index) {
        return paths.get(index);
    }
}
