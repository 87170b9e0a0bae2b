package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Linux's in-kernel path manager ({@code pm_kernel.c}), driven by the stack's endpoints and
 * limits ({@code ip mptcp endpoint} / {@code ip mptcp limits}):
 * <ul>
 * <li>once the connection is established, a client opens a subflow from each {@code subflow}
 *     endpoint to the server's address, within the subflow limit;</li>
 * <li>either end announces each {@code signal} endpoint with ADD_ADDR;</li>
 * <li>an address the peer announces is joined from a {@code laminar} endpoint no subflow uses yet
 *     or, without one, from the initial subflow's local address, within the
 *     {@code add_addr_accepted} and subflow limits;</li>
 * <li>MP_JOINs from the peer are accepted within the subflow limit.</li>
 * </ul>
 */
public class KernelPathManager implements PathManager {
    @Override
    public String name() {
        return "kernel";
    }

    @Override
    public void onEstablished(Connection c, long nowNanos) {
        for (Endpoint e : c.endpoints()) {
            use(c, e, nowNanos);
        }
    }

    @Override
    public void onEndpointAdded(Connection c, Endpoint e, long nowNanos) {
        use(c, e, nowNanos);
    }

    /** Announces {@code e} if it signals, joins from it if it is a client's subflow endpoint. */
    void use(Connection c, Endpoint e, long nowNanos) {
        InetAddress first = c.initialLocal().getAddress();
        if (e.address().equals(first) || !sameFamily(e.address(), first)) {
            return;
        }
        if (e.has(Endpoint.Flag.SIGNAL)) {
            c.announce(e.id(), e.address(), e.port());
        }
        if (e.has(Endpoint.Flag.SUBFLOW) && c.isClient() && c.extraSubflows() < c.limits().subflows()) {
            c.createSubflow(e.address(), e.id(), c.initialRemote(), e.has(Endpoint.Flag.BACKUP), nowNanos);
        }
    }

    @Override
    public void onAddAddrReceived(Connection c, int remoteId, InetSocketAddress address, long nowNanos) {
        if (c.addAddrAccepted() >= c.limits().addAddrAccepted() || c.extraSubflows() >= c.limits().subflows()) {
            return;
        }
        InetAddress local = c.initialLocal().getAddress();
        if (!sameFamily(local, address.getAddress())) {
            return;
        }
        c.acceptAddAddr(remoteId);
        Endpoint laminar = unusedLaminar(c, address.getAddress());
        if (laminar != null) {
            c.createSubflow(laminar.address(), laminar.id(), address, laminar.has(Endpoint.Flag.BACKUP), nowNanos);
        } else {
            c.createSubflow(local, 0, address, false, nowNanos);
        }
    }

    /** A {@code laminar} endpoint of {@code remote}'s family that no subflow of {@code c} uses, or null. */
    private static Endpoint unusedLaminar(Connection c, InetAddress remote) {
        for (Endpoint e : c.endpoints()) {
            if (e.has(Endpoint.Flag.LAMINAR) && sameFamily(e.address(), remote)
                    && c.subflows().stream().noneMatch(s -> s.local().getAddress().equals(e.address()))) {
                return e;
            }
        }
        return null;
    }

    static boolean sameFamily(InetAddress a, InetAddress b) {
        return a.getAddress().length == b.getAddress().length;
    }
}
