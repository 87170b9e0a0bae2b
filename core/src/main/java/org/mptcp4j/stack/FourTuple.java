package org.mptcp4j.stack;

import java.net.InetAddress;

/** The demultiplexing key of a connection (RFC 9293 3.4 "socket pair"), seen from this host. */
record FourTuple(InetAddress localAddress, int localPort, InetAddress remoteAddress, int remotePort) {
    @Override
    public String toString() {
        return localAddress.getHostAddress() + ":" + localPort + "<->" + remoteAddress.getHostAddress() + ":" + remotePort;
    }
}
