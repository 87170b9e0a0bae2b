package org.mptcp4j.stack;

import java.net.InetAddress;

/** The demultiplexing key of a connection (RFC 9293 3.4 "socket pair"), seen from this host. */
record FourTuple(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {
    /** Whether this is the tuple of these fields (equals without a second tuple to compare). */
    boolean is(InetAddress local, int lPort, InetAddress remote, int rPort) {
        return localPort == lPort && remotePort == rPort && localAddress.equals(local) && remoteAddress.equals(remote);
    }

    @Override
    public String toString() {
        return localAddress.getHostAddress() + ":" + localPort + "<->" + remoteAddress.getHostAddress() + ":" + remotePort;
    }
}
