package org.mptcp4j.mptcp;

import java.util.List;

/**
 * The MPTCP settings of a stack (Linux: the {@code net.mptcp.*} sysctls plus {@code ip mptcp}).
 *
 * @param checksumRequired require DSS checksums (Linux {@code net.mptcp.checksum_enabled}, off by
 *     default); used when either side requires them (RFC 8684 section 3.1)
 * @param limits as {@code ip mptcp limits}
 * @param endpoints as {@code ip mptcp endpoint}
 * @param scheduler the packet scheduler by name ({@link Scheduler#byName})
 * @param addAddrTimeoutNanos ADD_ADDR is resent after this until echoed (Linux {@code add_addr_timeout}, 120 s)
 * @param pathManager the path manager by name ({@link PathManager#byName}; Linux {@code net.mptcp.path_manager}):
 *     {@code kernel} (default), {@code fullmesh}, {@code ndiffports}, {@code userspace}
 * @param ndiffports the subflows {@code ndiffports} opens, the initial one included (the
 *     multipath-tcp.org kernel's {@code mptcp_ndiffports}; 2 by default)
 * @param receiveBuffer opportunistic retransmission, penalization and what to do with the slowest
 *     subflow when the receive buffer's cap binds (the paper's section 4.1; off by default, as upstream Linux)
 * @param blackhole falling back when SYNs with MP_CAPABLE are dropped on the way, and turning active
 *     MPTCP off for a while after (Linux {@code syn_retrans_before_tcp_fallback}, {@code blackhole_timeout})
 * @param recreation whether the client's path manager opens a failed subflow again, with back-off
 *     ({@link SubflowRecreation}; off by default, as Linux)
 * @param allowJoinInitialAddrPort whether the peer may join this end's initial address and port
 *     (Linux {@code net.mptcp.allow_join_initial_addr_port}, on by default). Off, every MP_CAPABLE
 *     this end sends (SYN, SYN/ACK, third ACK, as Linux) carries flag C, RFC 8684 section 3.1: "the
 *     sender of this option will not accept additional MPTCP subflows to the source address and
 *     port", and MP_JOINs to that address and port are refused. Joins to announced addresses are not
 *     affected.
 */
public record MptcpConfig(boolean checksumRequired, Limits limits, List<Endpoint> endpoints, String scheduler,
        long addAddrTimeoutNanos, String pathManager, int ndiffports, ReceiveBufferPolicy receiveBuffer,
        BlackholePolicy blackhole, SubflowRecreation recreation, boolean allowJoinInitialAddrPort) {

    public MptcpConfig {
        endpoints = List.copyOf(endpoints);
        java.util.Objects.requireNonNull(receiveBuffer, "receiveBuffer");
        java.util.Objects.requireNonNull(blackhole, "blackhole");
        java.util.Objects.requireNonNull(recreation, "recreation");
        if (Scheduler.byName(scheduler).isEmpty()) {
            throw new IllegalArgumentException("unknown scheduler " + scheduler);
        }
        if (PathManager.byName(pathManager).isEmpty()) {
            throw new IllegalArgumentException("unknown path manager " + pathManager + " " + PathManager.names());
        }
        if (ndiffports < 1 || ndiffports > Limits.MAX + 1) {
            throw new IllegalArgumentException("ndiffports " + ndiffports + " (1 to " + (Limits.MAX + 1) + ")");
        }
    }

    public static MptcpConfig defaults() {
        return new MptcpConfig(false, Limits.DEFAULT, List.of(), "default", 120_000_000_000L, "kernel", 2,
                ReceiveBufferPolicy.defaults(), BlackholePolicy.defaults(),
                SubflowRecreation.off(), true);
    }

    public MptcpConfig withChecksumRequired(boolean value) {
        return new MptcpConfig(value, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withLimits(Limits value) {
        return new MptcpConfig(checksumRequired, value, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withEndpoints(List<Endpoint> value) {
        return new MptcpConfig(checksumRequired, limits, value, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withScheduler(String value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, value, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withAddAddrTimeoutNanos(long value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, value, pathManager, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withPathManager(String value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, value, ndiffports, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withNdiffports(int value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, value, receiveBuffer, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withReceiveBuffer(ReceiveBufferPolicy value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, value, blackhole, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withBlackhole(BlackholePolicy value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, value, recreation, allowJoinInitialAddrPort);
    }

    public MptcpConfig withRecreation(SubflowRecreation value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, value, allowJoinInitialAddrPort);
    }

    /** {@link #allowJoinInitialAddrPort()}: false sets flag C and refuses joins to the initial address and port. */
    public MptcpConfig withAllowJoinInitialAddrPort(boolean value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, pathManager, ndiffports, receiveBuffer, blackhole, recreation, value);
    }
}
