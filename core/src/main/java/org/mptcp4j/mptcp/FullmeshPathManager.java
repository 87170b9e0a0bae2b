package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The multipath-tcp.org kernel's {@code fullmesh} path manager (Linux's in-kernel manager does
 * the same for endpoints with the {@code fullmesh} flag): a client opens a subflow from every
 * local address of the stack to every address of the server it knows, the one it connected to
 * and each one the server announced. Announcing ({@code signal} endpoints) and accepting joins are
 * as {@link KernelPathManager}'s, and so are the limits: a mesh of L local and R remote addresses
 * needs {@code ip mptcp limits set subflows L*R-1 add_addr_accepted R-1} on the client and room
 * for the joins on the server.
 *
 * <p>A local address takes the id of its endpoint if it has one, else the lowest id no endpoint
 * uses (RFC 8684 section 3.4.1: an id names one address of the connection).
 */
public final class FullmeshPathManager extends KernelPathManager {
    /** The server's addresses this connection knows: the initial one, then those announced and accepted. */
    private final List<InetSocketAddress> remotes = new ArrayList<>(2);

    @Override
    public String name() {
        return "fullmesh";
    }

    @Override
    public void onEstablished(Connection c, long nowNanos) {
        for (Endpoint e : c.endpoints()) {
            if (e.has(Endpoint.Flag.SIGNAL)) {
                use(c, e, nowNanos);
            }
        }
        remotes.add(c.initialRemote());
        if (c.isClient()) {
            mesh(c, nowNanos);
        }
    }

    @Override
    public void onEndpointAdded(Connection c, Endpoint e, long nowNanos) {
        if (e.has(Endpoint.Flag.SIGNAL)) {
            use(c, e, nowNanos);
        }
        if (c.isClient()) {
            mesh(c, nowNanos);
        }
    }

    @Override
    public void onAddAddrReceived(Connection c, int remoteId, InetSocketAddress address, long nowNanos) {
        if (!c.isClient() || c.addAddrAccepted() >= c.limits().addAddrAccepted() || remotes.contains(address)
                || !mayUse(c, address.getAddress())) {
            return;
        }
        c.acceptAddAddr(remoteId);
        remotes.add(address);
        mesh(c, nowNanos);
    }

    /** Opens every missing (local, remote) pair, in the order of the local addresses, within the subflow limit. */
    private void mesh(Connection c, long nowNanos) {
        InetSocketAddress initialLocal = c.initialLocal();
        List<InetAddress> locals = new ArrayList<>(c.localAddresses());
        locals.remove(initialLocal.getAddress());
        locals.addFirst(initialLocal.getAddress());
        for (InetSocketAddress remote : remotes) {
            for (InetAddress local : locals) {
                if (c.extraSubflows() >= c.limits().subflows()) {
                    return;
                }
                if (sameFamily(local, remote.getAddress()) && !connected(c, local, remote)) {
                    c.createSubflow(local, localId(c, local, initialLocal.getAddress()), remote, backup(c, local), nowNanos);
                }
            }
        }
    }

    private static boolean connected(Connection c, InetAddress local, InetSocketAddress remote) {
        for (PathManager.SubflowRef s : c.subflows()) {
            if (s.local().getAddress().equals(local) && s.remote().getAddress().equals(remote.getAddress())) {
                return true;
            }
        }
        return false;
    }

    private static boolean backup(Connection c, InetAddress local) {
        return c.endpoints().stream().anyMatch(e -> e.address().equals(local) && e.has(Endpoint.Flag.BACKUP));
    }
}
