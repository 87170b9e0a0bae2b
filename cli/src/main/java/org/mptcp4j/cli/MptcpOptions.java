package org.mptcp4j.cli;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.stack.StackConfig;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The MPTCP knobs of a command, spelled as {@code ip mptcp} spells them: {@code --endpoint
 * ADDRESS[,id=N][,port=N][,subflow][,signal][,backup][,laminar][,fullmesh]} (repeatable; like {@code ip mptcp endpoint
 * add}), {@code --limits SUBFLOWS,ADD_ADDR_ACCEPTED} (like {@code ip mptcp limits set}) and
 * {@code --no-mptcp} (like {@code sysctl net.mptcp.enabled=0}), and {@code --cc NAME} (like {@code sysctl
 * net.ipv4.tcp_congestion_control=NAME} on the multipath-tcp.org kernel).
 */
final class MptcpOptions {
    @Option(names = "--endpoint", paramLabel = "ADDRESS[,id=N][,port=N][,subflow][,signal][,backup][,laminar][,fullmesh]",
            description = "An MPTCP endpoint, as 'ip mptcp endpoint add': subflow (the client opens a subflow from it), "
                    + "signal (announced with ADD_ADDR; with port=N, joins are taken at that port only), backup, "
                    + "laminar (joins announced addresses, one each), fullmesh (with subflow: joins every known "
                    + "address of the peer, and every announced one is joined from it); "
                    + "ids count from 1 unless given. Repeatable.")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--limits", paramLabel = "SUBFLOWS,ADD_ADDR_ACCEPTED",
            description = "As 'ip mptcp limits set subflows N add_addr_accepted M' (default 2,0, as Linux).")
    String limits;

    @Option(names = "--no-mptcp", description = "Plain TCP (net.mptcp.enabled=0): no MP_CAPABLE offered or accepted.")
    boolean noMptcp;

    @Option(names = "--cc", paramLabel = "NAME",
            description = "Congestion control of each subflow: cubic (default) or reno run uncoupled, as upstream Linux; "
                    + "lia, olia or balia couple the subflows (RFC 6356 and its successors, as the multipath-tcp.org kernel); "
                    + "lia-exact is lia in exact arithmetic.")
    String congestionControl;

    @Mixin
    PathManagerOptions pm = new PathManagerOptions();

    @Option(names = "--scheduler", paramLabel = "NAME",
            description = "Packet scheduler of each connection (net.mptcp.scheduler): default (lowest RTT with room), "
                    + "linger (Linux mainline's: the subflow whose queue drains first), "
                    + "roundrobin or roundrobin:N (N segments per turn), redundant (every byte on every subflow), "
                    + "blest, ecf (wait for the fast path rather than strand the end of a transfer on a slow one), "
                    + "handover, interactive, aggregate (Apple's service types). See docs/SCHEDULERS.md.")
    String scheduler;

    @Option(names = "--scheduler-trace", paramLabel = "FILE",
            description = "Write every scheduling decision of the mptcp4j host that sends (in iperf3 mode, mptcp4j's host) to FILE as CSV (docs/SCHEDULERS.md).")
    java.nio.file.Path schedulerTrace;

    @Option(names = "--recreate-subflows",
            description = "Open a failed subflow again (reset by a NAT, or given up after an outage), from 1 s up to 60 s "
                    + "between attempts, until it works (off by default, as Linux).")
    boolean recreateSubflows;

    /** The endpoints as given, in order. */
    List<Endpoint> endpoints() {
        List<Endpoint> out = new ArrayList<>();
        for (String spec : endpoints) {
            out.add(parseEndpoint(spec, out.size() + 1));
        }
        return out;
    }

    /** {@code defaults} with MPTCP on or off, these endpoints and these limits. */
    StackConfig apply(StackConfig defaults, List<Endpoint> endpoints) {
        var mptcp = defaults.mptcp().withEndpoints(endpoints);
        if (limits != null) {
            mptcp = mptcp.withLimits(parseLimits(limits));
        }
        mptcp = pm.apply(mptcp);
        if (recreateSubflows) {
            mptcp = mptcp.withRecreation(org.mptcp4j.mptcp.SubflowRecreation.on());
        }
        if (scheduler != null) {
            mptcp = mptcp.withScheduler(schedulerName(scheduler));
        }
        StackConfig c = defaults.withMptcpEnabled(!noMptcp).withMptcp(mptcp);
        if (congestionControl != null) {
            String name = congestionControl.strip().toLowerCase(Locale.ROOT);
            if (CongestionAlgorithm.byName(name).isEmpty()) {
                throw new IllegalArgumentException("--cc " + congestionControl + ": unknown (" + CongestionAlgorithm.names() + ")");
            }
            c = c.withCongestionControl(name);
        }
        return c;
    }

    StackConfig apply(StackConfig defaults) {
        return apply(defaults, endpoints());
    }

    /** What the options amount to, in {@code ip mptcp}'s words, for the header of a run. */
    String describe() {
        String cc = congestionControl == null ? StackConfig.defaults().congestionControl()
                : congestionControl.strip().toLowerCase(Locale.ROOT);
        if (noMptcp) {
            return "MPTCP off, congestion control " + cc;
        }
        StringBuilder b = new StringBuilder("MPTCP on, congestion control ").append(cc);
        for (Endpoint e : endpoints()) {
            b.append(", endpoint ").append(e.address().getHostAddress()).append(" id ").append(e.id());
            if (e.port() != 0) {
                b.append(" port ").append(e.port());
            }
            e.flags().stream().sorted().forEach(f -> b.append(' ').append(f.name().toLowerCase(Locale.ROOT)));
        }
        b.append(pm.describe());
        if (recreateSubflows) {
            b.append(", failed subflows opened again");
        }
        Limits l = limits == null ? StackConfig.defaults().mptcp().limits() : parseLimits(limits);
        return b.append(", limits subflows ").append(l.subflows()).append(" add_addr_accepted ").append(l.addAddrAccepted())
                .append(", scheduler ").append(scheduler == null ? "default" : schedulerName(scheduler)).toString();
    }

    static Endpoint parseEndpoint(String spec, int defaultId) {
        String[] parts = spec.split(",");
        InetAddress address;
        try {
            address = InetAddress.getByName(parts[0].strip());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--endpoint " + spec + ": not an address", e);
        }
        int id = defaultId;
        int port = 0;
        Set<Endpoint.Flag> flags = EnumSet.noneOf(Endpoint.Flag.class);
        for (int i = 1; i < parts.length; i++) {
            String p = parts[i].strip().toLowerCase(Locale.ROOT);
            if (p.startsWith("id=")) {
                id = Integer.parseInt(p.substring(3));
            } else if (p.startsWith("port=")) {
                port = Integer.parseInt(p.substring(5));
            } else {
                try {
                    flags.add(Endpoint.Flag.valueOf(p.toUpperCase(Locale.ROOT)));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--endpoint " + spec + ": unknown flag " + p
                            + " (subflow, signal, backup, laminar, fullmesh, id=N, port=N)", e);
                }
            }
        }
        return new Endpoint(address, id, port, flags);
    }

    /** {@code name} if a scheduler has it, else an error that lists the names. */
    static String schedulerName(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (Scheduler.byName(n).isEmpty()) {
            throw new IllegalArgumentException("--scheduler " + name + ": unknown (" + String.join(", ", Scheduler.NAMES)
                    + ", roundrobin:N)");
        }
        return n;
    }

    static Limits parseLimits(String spec) {
        String[] parts = spec.split(",");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--limits " + spec + ": SUBFLOWS,ADD_ADDR_ACCEPTED");
        }
        return new Limits(Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip()));
    }
}
