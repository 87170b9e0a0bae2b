/**
 * mptcp4j's engine: a sans-IO TCP and MPTCP (RFC 8684) stack, JDK only. Drivers (the simulator,
 * the TUN and UDP drivers of {@code org.mptcp4j.net}) feed it packets and time through
 * {@link org.mptcp4j.stack.Stack}.
 *
 * <p>Exported: what the drivers and the socket API show to users ({@code stack}: the driver-facing
 * {@code Stack}, {@code StackConfig}, {@code ConnectionInfo}; {@code mptcp}: {@code MptcpConfig}, the path managers and their events,
 * endpoints, limits, {@code MptcpInfo}; {@code mptcp.sched}: the schedulers; {@code tcp}: {@code TcpState}; {@code base}: sequence
 * arithmetic, {@code Nanos}, the random sources; {@code cc}: congestion control and its SPI;
 * {@code mib}: counters by their nstat names; {@code wire} and {@code pcap}: the codec and capture
 * writer; {@code link}: the link model shared by the simulator and the path emulator). The HMAC
 * and key derivation ({@code crypto}) stay inside.
 */
module org.mptcp4j.core {
    exports org.mptcp4j.base;
    exports org.mptcp4j.cc;
    exports org.mptcp4j.link;
    exports org.mptcp4j.mib;
    exports org.mptcp4j.mptcp;
    exports org.mptcp4j.mptcp.sched;
    exports org.mptcp4j.pcap;
    exports org.mptcp4j.stack;
    exports org.mptcp4j.tcp;
    exports org.mptcp4j.wire;
}
