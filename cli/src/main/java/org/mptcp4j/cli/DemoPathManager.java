package org.mptcp4j.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.mptcp.PmCommand;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.StackEndpoint;
import org.mptcp4j.stack.StackConfig;

/**
 * How {@code ./mptcp4j demo --path-manager NAME} sets up the two hosts of the testbed for each
 * path manager, says so, and (for {@code userspace}) plays the program that manages the paths.
 */
final class DemoPathManager {
    private final String name;
    private final int ndiffports;
    private final InetAddress sourceB;
    private final InetAddress destinationB;
    private final InetSocketAddress server;

    private DemoPathManager(String name, int ndiffports, InetAddress sourceB, InetAddress destinationB,
            InetSocketAddress server) {
        this.name = name;
        this.ndiffports = ndiffports;
        this.sourceB = sourceB;
        this.destinationB = destinationB;
        this.server = server;
    }

    /** @param name a known path manager's ({@link PathManagerOptions#name}) */
    static DemoPathManager of(String name, int ndiffports, InetAddress sourceB, InetAddress destinationB,
            InetSocketAddress server) {
        return new DemoPathManager(name, ndiffports, sourceB, destinationB, server);
    }

    StackConfig client(StackConfig base) {
        MptcpConfig m = base.mptcp().withPathManager(name);
        return base.withMptcp(switch (name) {
            case "fullmesh" -> m.withLimits(new Limits(3, 1));
            case "ndiffports" -> m.withNdiffports(ndiffports);
            case "userspace" -> m;
            default -> m.withEndpoints(List.of(Endpoint.of(sourceB, 1, Endpoint.Flag.SUBFLOW))).withLimits(new Limits(1, 0));
        });
    }

    StackConfig server(StackConfig base) {
        MptcpConfig m = base.mptcp();
        return base.withMptcp(switch (name) {
            case "fullmesh" -> m.withLimits(new Limits(3, 0))
                    .withEndpoints(List.of(Endpoint.of(destinationB, 1, Endpoint.Flag.SIGNAL)));
            case "ndiffports" -> m.withLimits(new Limits(Math.max(2, ndiffports - 1), 0));
            default -> m;
        });
    }

    String describe() {
        return switch (name) {
            case "fullmesh" -> "path manager fullmesh: the destination announces " + destinationB.getHostAddress()
                    + " (signal endpoint); the source opens a subflow from each of its addresses to each of the destination's"
                    + " (limits subflows 3 add_addr_accepted 1).";
            case "ndiffports" -> "path manager ndiffports: " + ndiffports + " subflows over path A's addresses, each from"
                    + " its own source port.";
            case "userspace" -> "path manager userspace: a program on the source answers ESTABLISHED with SUBFLOW_CREATE"
                    + " from " + sourceB.getHostAddress() + " id 1 (as mptcpd would).";
            default -> "path manager kernel: the source has endpoint " + sourceB.getHostAddress() + " id 1 subflow, limits"
                    + " subflows 1 add_addr_accepted 0; its second subflow joins from path B's address (the server answers"
                    + " it from " + server.getAddress().getHostAddress() + ": its ACKs return on path A).";
        };
    }

    /** Whether the source's events drive this manager (the user-space program). */
    boolean needsEvents() {
        return name.equals("userspace");
    }

    /** The user-space program: a subflow from path B once the connection is established. */
    void onSourceEvent(StackEndpoint source, PmEvent e, long nowNanos) {
        if (needsEvents() && e.type() == PmEvent.Type.ESTABLISHED) {
            source.stack().pmCommand(nowNanos, new PmCommand.SubflowCreate(e.token(), sourceB, 1, server, false));
        }
    }

    /**
     * Polls the hosts' path-manager events every millisecond of network time, as a program on a
     * netlink socket would read them, and hands each on in order; what a handler's command sends
     * leaves at once.
     */
    static final class EventPump {
        private static final long POLL_NANOS = Nanos.ofMillis(1);
        private final Simulation sim;
        private final Map<String, StackEndpoint> hosts;
        private final BiConsumer<String, PmEvent> handler;

        EventPump(Simulation sim, Map<String, StackEndpoint> hosts, BiConsumer<String, PmEvent> handler) {
            this.sim = sim;
            this.hosts = hosts;
            this.handler = handler;
            hosts.values().forEach(h -> h.stack().setPmMonitor(true));
        }

        void start() {
            sim.schedule(sim.nowNanos() + POLL_NANOS, this::poll, null);
        }

        private void poll(long now, Object unused) {
            hosts.forEach((name, h) -> {
                for (PmEvent e = h.stack().pollPmEvent(); e != null; e = h.stack().pollPmEvent()) {
                    handler.accept(name, e);
                    h.service(now);
                }
            });
            sim.schedule(now + POLL_NANOS, this::poll, null);
        }
    }
}
