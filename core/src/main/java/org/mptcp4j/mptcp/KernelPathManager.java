package org.mptcp4j.mptcp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Linux's in-kernel path manager ({@code pm_kernel.c}), driven by the stack's endpoints and
 * limits ({@code ip mptcp endpoint} / {@code ip mptcp limits}):
 * <ul>
 * <li>once the connection is established, a client opens a subflow from each {@code subflow}
 *     endpoint to the server's address, within the subflow limit; from a {@code subflow fullmesh}
 *     endpoint, one to each address of the server it knows;</li>
 * <li>either end announces each {@code signal} endpoint with ADD_ADDR;</li>
 * <li>an address the peer announces is joined from every {@code fullmesh} endpoint or, without
 *     one, from a {@code laminar} endpoint no subflow uses yet or, without one, from the initial
 *     subflow's local address, within the {@code add_addr_accepted} and subflow limits;</li>
 * <li>MP_JOINs from the peer are accepted within the subflow limit.</li>
 * </ul>
 * A subflow's two addresses are of one family, and the connection's first subflow decides which
 * families its subflows may use, as the family of a Linux MPTCP socket does
 * ({@code mptcp_pm_addr_families_match}): one that began over IPv4 (an AF_INET socket) IPv4 only,
 * one that began over IPv6 (an AF_INET6 socket) either family. Announcements go out whatever their
 * family, as Linux's do. An IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}, RFC 4291
 * section 2.5.5.2) counts as IPv4.
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

    /**
     * Announces {@code e} if it signals, whatever its family (as Linux's {@code select_signal_address}:
     * the peer's connection decides whether it can use it), and joins from it if it is a client's
     * subflow endpoint of the server address's family: to the server's initial address or, with
     * {@code fullmesh}, to every address of the server the connection knows (Linux
     * {@code fill_remote_addresses_vec}), each within the subflow limit.
     */
    void use(Connection c, Endpoint e, long nowNanos) {
        InetAddress first = c.initialLocal().getAddress();
        if (e.address().equals(first)) {
            return;
        }
        if (e.has(Endpoint.Flag.SIGNAL)) {
            c.announce(e.id(), e.address(), e.port());
        }
        if (!e.has(Endpoint.Flag.SUBFLOW) || !c.isClient() || !sameFamily(e.address(), first)) {
            return;
        }
        if (e.has(Endpoint.Flag.FULLMESH)) {
            for (InetSocketAddress remote : knownRemotes(c)) {
                joinIfMissing(c, e.address(), e.id(), remote, e.has(Endpoint.Flag.BACKUP), nowNanos);
            }
        } else if (c.extraSubflows() < c.limits().subflows()) {
            c.createSubflow(e.address(), e.id(), c.initialRemote(), e.has(Endpoint.Flag.BACKUP), nowNanos);
        }
    }

    /**
     * Joins an announced address from every {@code fullmesh} endpoint of its family (Linux
     * {@code fill_local_addresses_vec}); without one, from a {@code laminar} endpoint, else from
     * the initial subflow's address, else (an IPv4 address announced on a connection that began
     * over IPv6) from the stack's first address of its family, where Linux lets routing pick the
     * source. The announcement counts once against {@code add_addr_accepted}, each join against the
     * subflow limit.
     */
    @Override
    public void onAddAddrReceived(Connection c, int remoteId, InetSocketAddress address, long nowNanos) {
        if (c.addAddrAccepted() >= c.limits().addAddrAccepted() || c.extraSubflows() >= c.limits().subflows()
                || !mayUse(c, address.getAddress())) {
            return;
        }
        InetAddress first = c.initialLocal().getAddress();
        List<Endpoint> mesh = fullmeshEndpoints(c, address.getAddress());
        if (!mesh.isEmpty()) {
            c.acceptAddAddr(remoteId);
            for (Endpoint e : mesh) {
                joinIfMissing(c, e.address(), localId(c, e.address(), first), address, e.has(Endpoint.Flag.BACKUP),
                        nowNanos);
            }
            return;
        }
        Endpoint laminar = unusedLaminar(c, address.getAddress());
        InetAddress local = laminar != null ? laminar.address()
                : sameFamily(first, address.getAddress()) ? first
                : c.localAddresses().stream().filter(a -> sameFamily(a, address.getAddress())).findFirst().orElse(null);
        if (local == null) {
            return;
        }
        c.acceptAddAddr(remoteId);
        if (laminar != null) {
            c.createSubflow(laminar.address(), laminar.id(), address, laminar.has(Endpoint.Flag.BACKUP), nowNanos);
        } else {
            c.createSubflow(local, localId(c, local, first), address, false, nowNanos);
        }
    }

    /**
     * The peer's addresses this connection knows, each once: the initial one, then those its
     * subflows go to (announced addresses it joined), as Linux's {@code fill_remote_addresses_vec}
     * collects them for a {@code fullmesh} endpoint.
     */
    static List<InetSocketAddress> knownRemotes(Connection c) {
        List<InetSocketAddress> out = new ArrayList<>(2);
        out.add(c.initialRemote());
        for (PathManager.SubflowRef s : c.subflows()) {
            if (out.stream().noneMatch(r -> r.getAddress().equals(s.remote().getAddress()))) {
                out.add(s.remote());
            }
        }
        return out;
    }

    /** The {@code fullmesh} endpoints of {@code remote}'s family, in the order they were added. */
    private static List<Endpoint> fullmeshEndpoints(Connection c, InetAddress remote) {
        List<Endpoint> out = new ArrayList<>(2);
        for (Endpoint e : c.endpoints()) {
            if (e.has(Endpoint.Flag.FULLMESH) && sameFamily(e.address(), remote) && mayUse(c, e.address())) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * Opens a subflow from {@code local} to {@code remote} unless one already goes between those two
     * addresses or the subflow limit is reached; families must match.
     */
    private static void joinIfMissing(Connection c, InetAddress local, int localId, InetSocketAddress remote,
            boolean backup, long nowNanos) {
        if (c.extraSubflows() >= c.limits().subflows() || !sameFamily(local, remote.getAddress())) {
            return;
        }
        for (PathManager.SubflowRef s : c.subflows()) {
            if (s.local().getAddress().equals(local) && s.remote().getAddress().equals(remote.getAddress())) {
                return;
            }
        }
        c.createSubflow(local, localId, remote, backup, nowNanos);
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

    /** Whether {@code a} and {@code b} are of one family, IPv4-mapped addresses counting as IPv4. */
    static boolean sameFamily(InetAddress a, InetAddress b) {
        return isIpv4(a) == isIpv4(b);
    }

    /** Whether the connection may have a subflow with {@code a} at one end: IPv6 only if it began over IPv6. */
    static boolean mayUse(Connection c, InetAddress a) {
        return isIpv4(a) || !isIpv4(c.initialLocal().getAddress());
    }

    /** IPv4, or IPv4-mapped IPv6 ({@code ::ffff:a.b.c.d}, RFC 4291 section 2.5.5.2). */
    static boolean isIpv4(InetAddress a) {
        if (a instanceof Inet4Address) {
            return true;
        }
        byte[] b = a.getAddress();
        for (int i = 0; i < 10; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
    }

    /** The endpoint's id for {@code local}; 0 for the initial subflow's address; else the lowest id no endpoint has, by address order. */
    static int localId(Connection c, InetAddress local, InetAddress initial) {
        if (local.equals(initial)) {
            return 0;
        }
        for (Endpoint e : c.endpoints()) {
            if (e.address().equals(local)) {
                return e.id();
            }
        }
        int id = 0;
        for (InetAddress a : c.localAddresses()) {
            if (a.equals(initial) || c.endpoints().stream().anyMatch(e -> e.address().equals(a))) {
                continue;
            }
            do {
                id++;
            } while (takenByEndpoint(c, id));
            if (a.equals(local)) {
                return id;
            }
        }
        return id + 1;
    }

    private static boolean takenByEndpoint(Connection c, int id) {
        return c.endpoints().stream().anyMatch(e -> e.id() == id);
    }
}
