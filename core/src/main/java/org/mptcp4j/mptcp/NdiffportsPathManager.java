package org.mptcp4j.mptcp;

/**
 * The multipath-tcp.org kernel's {@code ndiffports} path manager: a client opens
 * {@link MptcpConfig#ndiffports()} subflows in all (the initial one included) between the same
 * two addresses, each from another source port, so that equal-cost multipath routing (ECMP) in
 * the network may hash them onto different paths; the sysctl was {@code
 * net.mptcp.mptcp_ndiffports}. The count is the manager's own: the client's subflow limit does
 * not cap it, but the server accepts the joins only within its own limit. Announcements from the
 * peer are echoed and not joined, as that kernel's manager did.
 */
public final class NdiffportsPathManager implements PathManager {
    @Override
    public String name() {
        return "ndiffports";
    }

    @Override
    public void onEstablished(Connection c, long nowNanos) {
        if (!c.isClient()) {
            return;
        }
        for (int i = 1; i < c.ndiffports(); i++) {
            // The same address pair, so the same address id 0; the stack picks a fresh ephemeral port.
            c.createSubflow(c.initialLocal().getAddress(), 0, c.initialRemote(), false, nowNanos);
        }
    }

    @Override
    public boolean acceptJoin(Connection c) {
        return c.extraSubflows() < Math.max(c.limits().subflows(), c.ndiffports() - 1);
    }
}
