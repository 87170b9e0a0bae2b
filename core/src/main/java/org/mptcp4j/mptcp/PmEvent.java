package org.mptcp4j.mptcp;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.mptcp4j.tcp.TcpError;

/**
 * A path-manager event, as Linux's netlink path manager multicasts them to {@code ip mptcp
 * monitor} and to user-space managers such as mptcpd ({@code enum mptcp_event_type} in
 * {@code uapi/linux/mptcp_pm.h}), with the attributes each carries. {@link #toMonitorLine()}
 * prints it as {@code ip mptcp monitor} does.
 *
 * @param timeNanos when it happened, on the stack's clock
 * @param token the connection's local token ({@code MPTCP_ATTR_TOKEN})
 * @param localId our address id ({@code locid}); 0 for the initial subflow's address
 * @param remoteId the peer's address id ({@code remid})
 * @param local our address and port ({@code saddr4/6}, {@code sport}), when the event has them
 * @param remote the peer's ({@code daddr4/6}, {@code dport}), when the event has them
 * @param backup a subflow event: the subflow's priority (ours for SUB_ESTABLISHED and SUB_CLOSED,
 *     the peer's new one for SUB_PRIORITY)
 * @param serverSide the connection was accepted, not opened ({@code MPTCP_PM_EV_FLAG_SERVER_SIDE})
 * @param error the errno a subflow closed with ({@code MPTCP_ATTR_ERROR}; {@link #NO_ERROR} if none)
 * @param resetReason SUB_CLOSED of a subflow the peer reset with MP_TCPRST: its reason (RFC 8684
 *     section 3.6, {@code MPTCP_ATTR_RESET_REASON}); else {@link MptcpInfo#NO_RESET}
 * @param resetFlags that MP_TCPRST's flags, bit 0 the transient flag T ({@code MPTCP_ATTR_RESET_FLAGS})
 */
public record PmEvent(long timeNanos, Type type, int token, int localId, int remoteId,
        Optional<InetSocketAddress> local, Optional<InetSocketAddress> remote, boolean backup, boolean serverSide,
        int error, int resetReason, int resetFlags) {
    public static final int NO_ERROR = 0;

    /** An event without a peer's MP_TCPRST. */
    public PmEvent(long timeNanos, Type type, int token, int localId, int remoteId, Optional<InetSocketAddress> local,
            Optional<InetSocketAddress> remote, boolean backup, boolean serverSide, int error) {
        this(timeNanos, type, token, localId, remoteId, local, remote, backup, serverSide, error, MptcpInfo.NO_RESET, 0);
    }
    /** {@code MPTCP_PM_EV_FLAG_SERVER_SIDE}, the {@code flags} value {@code ip mptcp monitor} prints. */
    static final int FLAG_SERVER_SIDE = 1 << 1;

    /** The events, by their {@code MPTCP_EVENT_*} names; {@link #monitorName} is how {@code ip mptcp monitor} prints each. */
    public enum Type {
        /** A connection's MPTCP handshake completed (client: the SYN-ACK; server: the third ACK). */
        CREATED("CREATED"),
        /** Fully established: the peer holds our key; subflows and announcements may follow. */
        ESTABLISHED("ESTABLISHED"),
        /** The connection is gone (its last subflow closed). */
        CLOSED("CLOSED"),
        /** The peer announced an address (ADD_ADDR). */
        ANNOUNCED("ANNOUNCED"),
        /** The peer withdrew an address (REMOVE_ADDR). */
        REMOVED("REMOVED"),
        /** An MP_JOIN subflow completed its handshake. */
        SUB_ESTABLISHED("SF_ESTABLISHED"),
        /** An MP_JOIN subflow left the connection. */
        SUB_CLOSED("SF_CLOSED"),
        /** The peer changed a subflow's priority (MP_PRIO). */
        SUB_PRIORITY("SF_PRIO");

        private final String monitorName;

        Type(String monitorName) {
            this.monitorName = monitorName;
        }

        public String monitorName() {
            return monitorName;
        }

        boolean isSubflowEvent() {
            return this == SUB_ESTABLISHED || this == SUB_CLOSED || this == SUB_PRIORITY;
        }
    }

    /** The errno Linux leaves in a subflow's {@code sk_err} for each way it ends; a close we chose is none. */
    static int errnoOf(Optional<TcpError> error) {
        return error.map(e -> switch (e) {
            case REFUSED -> 111; // ECONNREFUSED
            case TIMED_OUT -> 110; // ETIMEDOUT
            case RESET_BY_PEER -> 104; // ECONNRESET
            case PROTOCOL_ERROR -> 71; // EPROTO
            case ABORTED_LOCALLY -> NO_ERROR;
        }).orElse(NO_ERROR);
    }

    /**
     * The line {@code ip mptcp monitor} prints for this event, for example
     * {@code [SF_ESTABLISHED] token=047e63b8 remid=2 locid=1 saddr4=198.18.51.1 daddr4=198.18.51.2 sport=55313 dport=5201 backup=0}:
     * the name right-aligned in 14 columns, then the attributes the event carries, in its order.
     */
    public String toMonitorLine() {
        StringBuilder b = new StringBuilder(128).append('[');
        String name = type.monitorName();
        b.append(" ".repeat(Math.max(0, 14 - name.length()))).append(name).append("] token=")
                .append(String.format("%08x", token));
        switch (type) {
            case CLOSED -> { }
            case REMOVED -> b.append(" remid=").append(remoteId);
            case ANNOUNCED -> {
                b.append(" remid=").append(remoteId);
                remote.ifPresent(r -> b.append(" daddr").append(family(r)).append('=').append(host(r)));
                remote.ifPresent(r -> b.append(" dport=").append(r.getPort()));
            }
            default -> {
                b.append(" remid=").append(remoteId).append(" locid=").append(localId);
                local.ifPresent(l -> b.append(" saddr").append(family(l)).append('=').append(host(l)));
                remote.ifPresent(r -> b.append(" daddr").append(family(r)).append('=').append(host(r)));
                local.ifPresent(l -> b.append(" sport=").append(l.getPort()));
                remote.ifPresent(r -> b.append(" dport=").append(r.getPort()));
                if (type.isSubflowEvent()) {
                    b.append(" backup=").append(backup ? 1 : 0);
                }
                if (error != NO_ERROR) {
                    b.append(" error=").append(error);
                }
                if (resetReason != MptcpInfo.NO_RESET) {
                    // As Linux puts MPTCP_ATTR_RESET_REASON/_FLAGS only once it saw the peer's MP_TCPRST.
                    b.append(" reset_reason=").append(resetReason).append(" reset_flags=0x")
                            .append(Integer.toHexString(resetFlags));
                }
                if (serverSide && !type.isSubflowEvent()) {
                    b.append(" flags=").append(Integer.toHexString(FLAG_SERVER_SIDE));
                }
            }
        }
        return b.toString();
    }

    private static char family(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address ? '4' : '6';
    }

    /** The address as {@code inet_ntop} writes it: IPv6 in RFC 5952's short form, as iproute2 prints it. */
    private static String host(InetSocketAddress a) {
        if (a.getAddress() instanceof Inet4Address v4) {
            return v4.getHostAddress();
        }
        byte[] b = a.getAddress().getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = (b[2 * i] & 0xff) << 8 | b[2 * i + 1] & 0xff;
        }
        // RFC 5952 section 4.2: the longest run of two or more zero groups (the first of equal ones) becomes "::".
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder out = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.append("::");
                i += bestLen - 1;
                continue;
            }
            if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
                out.append(':');
            }
            out.append(Integer.toHexString(groups[i]));
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return toMonitorLine();
    }
}
