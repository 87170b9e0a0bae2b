package org.mptcp4j.api;

import java.net.SocketOption;
import java.util.List;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.mptcp.Limits;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.stack.ConnectionInfo;

/**
 * MPTCP's socket options, for {@link java.net.Socket#getOption} and {@link java.net.Socket#setOption}
 * on an {@link MptcpSocket} (the standard ones, {@link java.net.StandardSocketOptions}, work too).
 *
 * <p>Two kinds:
 * <ul>
 * <li><b>Information</b>, read-only, like Linux's {@code getsockopt(SOL_MPTCP, MPTCP_INFO)} and
 *     {@code getsockopt(IPPROTO_TCP, TCP_INFO)}: {@link #MPTCP_INFO} and {@link #TCP_INFO}. They
 *     survive the connection: after a reset they hold its final statistics, after
 *     {@link java.net.Socket#close()} the last ones known.</li>
 * <li><b>Knobs</b> of MPTCP. In mptcp4j, as in Linux ({@code net.mptcp.*} sysctls, {@code ip mptcp
 *     endpoint}, {@code ip mptcp limits}), they belong to the host, not to one socket: they are set in
 *     the {@link org.mptcp4j.stack.StackConfig} the {@link MptcpHost} starts with, and read back
 *     here. Setting one on a socket throws {@link UnsupportedOperationException} saying so. The
 *     exception is {@link #MPTCP_SCHEDULER}, which each socket may set, also while data flows.</li>
 * </ul>
 */
public final class MptcpSocketOptions {
    private MptcpSocketOptions() {}

    /** The MPTCP view of the connection (mode, tokens, data-level bytes, one line per subflow); Linux MPTCP_INFO. */
    public static final SocketOption<MptcpInfo> MPTCP_INFO = new Option<>("MPTCP_INFO", MptcpInfo.class, false);

    /** The initial subflow's TCP state, RTT, cwnd and byte counts; Linux TCP_INFO, {@code ss -ti}. */
    public static final SocketOption<ConnectionInfo> TCP_INFO = new Option<>("TCP_INFO", ConnectionInfo.class, false);

    /** Whether connections offer (and accept) MP_CAPABLE; Linux {@code net.mptcp.enabled}. */
    public static final SocketOption<Boolean> MPTCP_ENABLED = new Option<>("MPTCP_ENABLED", Boolean.class, true);

    /** Whether DSS checksums are required; Linux {@code net.mptcp.checksum_enabled}. */
    public static final SocketOption<Boolean> MPTCP_CHECKSUM = new Option<>("MPTCP_CHECKSUM", Boolean.class, true);

    /**
     * The connection's packet scheduler by name (default, roundrobin[:N], redundant, blest, ecf,
     * handover, interactive, aggregate: {@link org.mptcp4j.mptcp.Scheduler#byName}). Unlike the other
     * knobs it belongs to the socket, and may be set before {@code connect} or at any time after,
     * while data flows; unset, a connection starts with the host's ({@code MptcpConfig.scheduler},
     * Linux {@code net.mptcp.scheduler}). Reads give the connection's current one.
     */
    public static final SocketOption<String> MPTCP_SCHEDULER = new Option<>("MPTCP_SCHEDULER", String.class, false);

    /** Additional subflows and accepted ADD_ADDRs per connection; {@code ip mptcp limits}. */
    public static final SocketOption<Limits> MPTCP_LIMITS = new Option<>("MPTCP_LIMITS", Limits.class, true);

    /** The path manager's endpoints; {@code ip mptcp endpoint}. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public static final SocketOption<List<Endpoint>> MPTCP_ENDPOINTS =
            (SocketOption<List<Endpoint>>) (SocketOption) new Option<>("MPTCP_ENDPOINTS", List.class, true);

    /**
     * Read-only: the engine of the socket's host, {@link Engine#USERSPACE} (mptcp4j's stack) or
     * {@link Engine#KERNEL} (the Linux kernel's MPTCP).
     */
    public static final SocketOption<Engine> ENGINE = new Option<>("ENGINE", Engine.class, false);

    /** An option of this class; {@code hostWide}: a knob of the host, read-only on a socket. */
    record Option<T>(String name, Class<T> type, boolean hostWide) implements SocketOption<T> {
        @Override
        public String toString() {
            return name;
        }
    }
}
