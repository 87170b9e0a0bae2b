package org.mptcp4j.sim.topo;

import org.mptcp4j.sim.DuplexLink;
import org.mptcp4j.sim.Host;
import org.mptcp4j.sim.Router;
import org.mptcp4j.sim.Simulation;

/**
 * The paper's congestion testbed (its Fig. 2): a regular-TCP sender and an MPTCP sender, each on
 * its own access link into a router, which reaches the server over one bottleneck link.
 * {@code aToB} of every duplex link points towards the server.
 */
public record CongestionTestbed(Simulation sim, Host tcpSender, Host mptcpSender, Router router,
                                Host server, DuplexLink tcpAccess, DuplexLink mptcpAccess,
                                DuplexLink bottleneck) {
    public static final String TCP_SENDER_ADDRESS = "198.18.1.2";
    public static final String MPTCP_SENDER_ADDRESS = "198.18.2.2";
    public static final String SERVER_ADDRESS = "198.18.3.2";
}
