package org.mptcp4j.stack;

import java.net.Inet4Address;
import java.net.InetAddress;
import org.mptcp4j.wire.Checksums;

/** The demultiplexing key of a connection (RFC 9293 3.4 "socket pair"), seen from this host. */
record FourTuple(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {
    /** Whether this is the tuple of these fields (equals without a second tuple to compare). */
    boolean is(InetAddress local, int lPort, InetAddress remote, int rPort) {
        return localPort == lPort && remotePort == rPort && localAddress.equals(local) && remoteAddress.equals(remote);
    }

    /** As {@link #is}, for IPv4 addresses given as ints (as they lie in a packet, network order). */
    boolean isV4(int local, int lPort, int remote, int rPort) {
        return localPort == lPort && remotePort == rPort && localAddress instanceof Inet4Address l && Checksums.v4Int(l) == local
                && remoteAddress instanceof Inet4Address r && Checksums.v4Int(r) == remote;
    }

    @Override
    public String toString() {
        return localAddress.getHostAddress() + ":" + localPort + "<->" + remoteAddress.getHostAddress() + ":" + remotePort;
    }
}
