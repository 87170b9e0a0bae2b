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
 * @param receiveBuffer opportunistic retransmission, penalization and what to do with the slowest
 *     subflow when the receive buffer's cap binds (the paper's section 4.1; off by default, as upstream Linux)
 */
public record MptcpConfig(boolean checksumRequired, Limits limits, List<Endpoint> endpoints, String scheduler,
        long addAddrTimeoutNanos, ReceiveBufferPolicy receiveBuffer) {

    public MptcpConfig {
        endpoints = List.copyOf(endpoints);
        java.util.Objects.requireNonNull(receiveBuffer, "receiveBuffer");
        if (Scheduler.byName(scheduler).isEmpty()) {
            throw new IllegalArgumentException("unknown scheduler " + scheduler);
        }
    }

    public static MptcpConfig defaults() {
        return new MptcpConfig(false, Limits.DEFAULT, List.of(), "default", 120_000_000_000L,
                ReceiveBufferPolicy.defaults());
    }

    public MptcpConfig withChecksumRequired(boolean value) {
        return new MptcpConfig(value, limits, endpoints, scheduler, addAddrTimeoutNanos, receiveBuffer);
    }

    public MptcpConfig withLimits(Limits value) {
        return new MptcpConfig(checksumRequired, value, endpoints, scheduler, addAddrTimeoutNanos, receiveBuffer);
    }

    public MptcpConfig withEndpoints(List<Endpoint> value) {
        return new MptcpConfig(checksumRequired, limits, value, scheduler, addAddrTimeoutNanos, receiveBuffer);
    }

    public MptcpConfig withScheduler(String value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, value, addAddrTimeoutNanos, receiveBuffer);
    }

    public MptcpConfig withAddAddrTimeoutNanos(long value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, value, receiveBuffer);
    }

    public MptcpConfig withReceiveBuffer(ReceiveBufferPolicy value) {
        return new MptcpConfig(checksumRequired, limits, endpoints, scheduler, addAddrTimeoutNanos, value);
    }
}
