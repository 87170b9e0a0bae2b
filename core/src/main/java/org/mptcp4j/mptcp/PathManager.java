package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides which subflows a connection opens and which addresses it announces (Linux
 * {@code struct mptcp_pm_ops}; the multipath-tcp.org kernel's {@code mptcp_pm_ops}). One instance
 * serves one connection. It is an event sink: the connection calls the hooks below, named after
 * Linux's {@code pm.c}, and the manager acts through {@link Connection}, whose commands are the
 * netlink path manager's ({@code MPTCP_PM_CMD_ANNOUNCE}, {@code _REMOVE}, {@code _SUBFLOW_CREATE},
 * {@code _SUBFLOW_DESTROY}, {@code _SET_FLAGS}).
 *
 * <p>What every path manager shares stays in the connection, as in Linux's {@code pm.c}: ADD_ADDR
 * with its HMAC, echo and retransmission, REMOVE_ADDR, closing the subflows to an address the peer
 * removed (RFC 8684 section 3.4.2: "MUST"), and the events of {@link PmEvent}.
 *
 * <p>The managers, by the names {@link #byName} takes ({@link MptcpConfig#pathManager()}):
 * {@code kernel} ({@link KernelPathManager}, the default), {@code fullmesh}
 * ({@link FullmeshPathManager}), {@code ndiffports} ({@link NdiffportsPathManager}) and
 * {@code userspace} ({@link UserspacePathManager}).
 */
public interface PathManager {
    String name();

    /**
     * The connection is established at the MPTCP level and the peer holds our key (Linux
     * {@code mptcp_pm_fully_established}): the time to open subflows and announce addresses.
     */
    default void onEstablished(Connection c, long nowNanos) {}

    /**
     * The peer announced an address (ADD_ADDR with a good HMAC; already echoed). {@code port} is
     * the announced one or the connection's. Linux {@code mptcp_pm_add_addr_received}.
     */
    default void onAddAddrReceived(Connection c, int remoteId, InetSocketAddress address, long nowNanos) {}

    /** An endpoint was added to the stack while the connection runs ({@code ip mptcp endpoint add}). */
    default void onEndpointAdded(Connection c, Endpoint e, long nowNanos) {}

    /**
     * An endpoint was deleted ({@code ip mptcp endpoint delete}): by default, the connection
     * withdraws the address and closes its subflows from it, as Linux's in-kernel manager does.
     */
    default void onEndpointRemoved(Connection c, Endpoint e, long nowNanos) {
        c.removeAddress(e.id(), e.address(), nowNanos);
    }

    /**
     * Whether a peer's MP_JOIN may add a subflow (Linux {@code mptcp_pm_allow_new_subflow}): by
     * default within {@code ip mptcp limits}' subflows.
     */
    default boolean acceptJoin(Connection c) {
        return c.extraSubflows() < c.limits().subflows();
    }

    /** A subflow beyond the initial one left (Linux {@code mptcp_pm_subflow_closed}). */
    default void onSubflowClosed(Connection c, SubflowRef subflow, long nowNanos) {}

    /** The managers by the name {@code net.mptcp.path_manager} (and the multipath-tcp.org kernel) uses. */
    static Optional<Supplier<PathManager>> byName(String name) {
        return switch (name) {
            case "kernel", "in-kernel", "default" -> Optional.of(KernelPathManager::new);
            case "fullmesh" -> Optional.of(FullmeshPathManager::new);
            case "ndiffports" -> Optional.of(NdiffportsPathManager::new);
            case "userspace" -> Optional.of(UserspacePathManager::new);
            default -> Optional.empty();
        };
    }

    /** The names {@link #byName} knows, for messages. */
    static List<String> names() {
        return List.of("kernel", "fullmesh", "ndiffports", "userspace");
    }

    /** A subflow as a path manager sees it: its addresses, address ids and priority, read-only. */
    record SubflowRef(InetSocketAddress local, InetSocketAddress remote, int localId, int remoteId, boolean backup,
            boolean initial) {}

    /** The connection as its path manager sees it, and what it may ask of it. */
    interface Connection {
        boolean isClient();

        /** The initial subflow's local and remote address (the MP_CAPABLE one). */
        InetSocketAddress initialLocal();

        InetSocketAddress initialRemote();

        /** The addresses the stack owns (Linux: the host's interface addresses). */
        List<InetAddress> localAddresses();

        /** The stack's endpoints as the connection knows them ({@code ip mptcp endpoint show}). */
        List<Endpoint> endpoints();

        Limits limits();

        /** {@link MptcpConfig#ndiffports()}. */
        int ndiffports();

        /** Subflows beyond the initial one, open or opening (counted against {@link Limits#subflows()}). */
        int extraSubflows();

        /** The peer's announcements this connection acted on (counted against {@link Limits#addAddrAccepted()}). */
        int addAddrAccepted();

        /** Counts an announcement acted on, for {@link #addAddrAccepted()}; given back when the peer removes it. */
        void acceptAddAddr(int remoteId);

        List<SubflowRef> subflows();

        /**
         * Opens an MP_JOIN subflow from {@code local} (address id {@code localId}) to {@code remote}
         * ({@code MPTCP_PM_CMD_SUBFLOW_CREATE}); false when it cannot (no such local address, no
         * port, MPTCP no longer in use, or {@code remote} is the peer's initial address and port
         * and its MP_CAPABLE set flag C). It counts against {@link #extraSubflows()}.
         */
        boolean createSubflow(InetAddress local, int localId, InetSocketAddress remote, boolean backup, long nowNanos);

        /**
         * Announces our address {@code address} (port 0: the connection's) with id {@code id}:
         * ADD_ADDR, resent until echoed ({@code MPTCP_PM_CMD_ANNOUNCE}).
         */
        void announce(int id, InetAddress address, int port);

        /**
         * Withdraws our address id {@code id} at {@code address}: REMOVE_ADDR to the peer if it was
         * announced or is in use, and the subflows from it close, their data going again on the
         * others ({@code MPTCP_PM_CMD_REMOVE}). Whether anything used it.
         */
        boolean removeAddress(int id, InetAddress address, long nowNanos);
    }
}
