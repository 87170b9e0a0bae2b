package org.mptcp4j.sim.mptcp;

import org.mptcp4j.sim.topo.MultipathTestbed;

/**
 * IPv6 beside the IPv4 of a {@link MultipathTestbed}, for the join matrix's ipv6 and mixed groups:
 * the client gets {@code fd00:N1::2} on path N (from 1) as well as {@code 198.18.N1.2}, the server
 * {@link #SERVER} (and {@link #SERVER_B} when asked) as well as its IPv4 addresses, routed as their
 * IPv4 twins, so that a subflow keeps to its path in either family.
 */
final class DualStack {
    static final String SERVER = "fd00::2";
    /** The server's second IPv6 address, on its one link (the IPv4 cases' 198.18.0.3). */
    static final String SERVER_B = "fd00::3";

    private DualStack() {}

    /** The client's IPv6 address on path {@code index} (from 0). */
    static String client(int index) {
        return "fd00:" + (index + 1) + "1::2";
    }

    /** Adds the IPv6 addresses and routes; before the hosts' stacks are attached, which take the addresses then. */
    static void add(MultipathTestbed bed) {
        bed.server().address(SERVER);
        bed.server().route("::/0", bed.serverLink().bToA());
        bed.router().route("fd00::/64", bed.serverLink().aToB());
        for (int i = 0; i < bed.paths().size(); i++) {
            MultipathTestbed.Path p = bed.path(i);
            bed.client().address(client(i));
            bed.client().bind(client(i), p.link().aToB());
            bed.router().route("fd00:" + (i + 1) + "1::/64", p.link().bToA());
        }
        bed.client().route("::/0", bed.path(0).link().aToB());
    }
}
