package org.mptcp4j.api;

import java.lang.reflect.RecordComponent;
import java.util.Map;
import org.mptcp4j.cc.CongestionAlgorithm;
import org.mptcp4j.mptcp.MptcpConfig;
import org.mptcp4j.stack.StackConfig;

/**
 * What the kernel engine makes of a {@link StackConfig}: it honours {@code mptcpEnabled} and an
 * uncoupled {@code congestionControl} per socket, and refuses every other setting that differs from
 * the defaults, since on Linux that setting belongs to the network namespace, not to a program.
 */
final class KernelEngineConfig {
    private KernelEngineConfig() {}

    /** Where Linux keeps the settings a program cannot choose per socket. */
    private static final Map<String, String> LINUX_SETTING = Map.ofEntries(
            Map.entry("mss", "the route's advmss / the interface MTU"),
            Map.entry("sendBufferBytes", "sysctl net.ipv4.tcp_wmem (or SO_SNDBUF on the socket)"),
            Map.entry("receiveBufferBytes", "sysctl net.ipv4.tcp_rmem (or SO_RCVBUF on the socket)"),
            Map.entry("receiveBufferMaxBytes", "sysctl net.ipv4.tcp_rmem"),
            Map.entry("initialRtoNanos", "the kernel (TCP_TIMEOUT_INIT)"),
            Map.entry("minRtoNanos", "ip route ... rto_min"),
            Map.entry("maxRtoNanos", "the kernel (TCP_RTO_MAX)"),
            Map.entry("delayedAckNanos", "the kernel (TCP_DELACK_MAX, or TCP_QUICKACK)"),
            Map.entry("timeWaitNanos", "the kernel (TCP_TIMEWAIT_LEN)"),
            Map.entry("sack", "sysctl net.ipv4.tcp_sack"),
            Map.entry("timestamps", "sysctl net.ipv4.tcp_timestamps"),
            Map.entry("windowScale", "sysctl net.ipv4.tcp_window_scaling"),
            Map.entry("nagle", "TCP_NODELAY on each socket (setTcpNoDelay)"),
            Map.entry("keepaliveIdleNanos", "SO_KEEPALIVE on the socket and sysctl net.ipv4.tcp_keepalive_time"),
            Map.entry("keepaliveIntervalNanos", "sysctl net.ipv4.tcp_keepalive_intvl"),
            Map.entry("keepaliveProbes", "sysctl net.ipv4.tcp_keepalive_probes"),
            Map.entry("synRetries", "sysctl net.ipv4.tcp_syn_retries"),
            Map.entry("synAckRetries", "sysctl net.ipv4.tcp_synack_retries"),
            Map.entry("maxRetransmits", "sysctl net.ipv4.tcp_retries2"),
            Map.entry("maxSynBacklog", "sysctl net.core.somaxconn"),
            Map.entry("ephemeralPortLow", "sysctl net.ipv4.ip_local_port_range"),
            Map.entry("ephemeralPortHigh", "sysctl net.ipv4.ip_local_port_range"),
            Map.entry("checksumRequired", "sysctl net.mptcp.checksum_enabled"),
            Map.entry("limits", "ip mptcp limits"),
            Map.entry("endpoints", "ip mptcp endpoint"),
            Map.entry("scheduler", "sysctl net.mptcp.scheduler (a BPF scheduler)"),
            Map.entry("addAddrTimeoutNanos", "sysctl net.mptcp.add_addr_timeout"));

    /** Throws {@link IllegalArgumentException} for the first setting the kernel engine cannot honour. */
    static void check(StackConfig config) {
        CongestionAlgorithm cc = CongestionAlgorithm.byName(config.congestionControl()).orElseThrow();
        if (cc.isCoupled()) {
            throw new IllegalArgumentException("the kernel engine cannot run congestion control '" + cc.id()
                    + "': upstream Linux has no coupled congestion control for MPTCP (each subflow runs its own, "
                    + "reno or cubic); use the userspace engine (MptcpHost.overUdp/overTun) for " + cc.id());
        }
        StackConfig defaults = StackConfig.defaults();
        StackConfig honoured = config.withMptcpEnabled(defaults.mptcpEnabled())
                .withCongestionControl(defaults.congestionControl());
        refuseDifferences(honoured, defaults, "StackConfig.");
        refuseDifferences(config.mptcp(), defaults.mptcp(), "MptcpConfig.");
    }

    private static void refuseDifferences(Record given, Record defaults, String prefix) {
        for (RecordComponent c : given.getClass().getRecordComponents()) {
            if (c.getType() == MptcpConfig.class) {
                continue; // compared on its own, field by field
            }
            Object a = value(c, given);
            Object b = value(c, defaults);
            if (!a.equals(b)) {
                throw new IllegalArgumentException("the kernel engine cannot honour " + prefix + c.getName() + " = "
                        + a + ": Linux decides it with " + LINUX_SETTING.getOrDefault(c.getName(), "the kernel")
                        + "; use the userspace engine (MptcpHost.overUdp/overTun) to set it per host");
            }
        }
    }

    private static Object value(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("record accessor " + c.getName() + " failed", e);
        }
    }

    /** The name to set with TCP_CONGESTION, or null to leave the kernel's default. */
    static String congestionControl(StackConfig config) {
        String cc = config.congestionControl();
        return cc.equals(StackConfig.defaults().congestionControl()) ? null : cc;
    }
}
