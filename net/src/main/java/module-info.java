/**
 * mptcp4j on a real network: the socket API ({@code org.mptcp4j.api}: {@code MptcpSocket},
 * {@code MptcpServerSocket}, NIO channels, on mptcp4j's stack or the Linux kernel's MPTCP) and the
 * links it runs on (TUN through FFM, UDP, path emulation). Needs
 * {@code --enable-native-access=org.mptcp4j.net} for the TUN device and the kernel engine.
 *
 * <p>The performance harness and the namespace testbed are for the command line only; the raw
 * system calls of {@code org.mptcp4j.net.os} are exported for {@code NetNamespace}, which runs
 * code (opening a TUN, creating kernel sockets) inside a network namespace.
 */
module org.mptcp4j.net {
    requires transitive org.mptcp4j.core;
    requires java.management; // net.perf: CPU time of the threads a transfer ran on (ThreadMXBean)

    exports org.mptcp4j.api;
    exports org.mptcp4j.net.driver;
    exports org.mptcp4j.net.emu;
    exports org.mptcp4j.net.os;
    exports org.mptcp4j.net.tun;
    exports org.mptcp4j.net.udp;
    exports org.mptcp4j.net.perf to org.mptcp4j.cli;
    exports org.mptcp4j.net.testbed to org.mptcp4j.cli;
}
