package org.mptcp4j.mptcp;

/**
 * Linux's user-space path manager ({@code pm_userspace.c}, {@code net.mptcp.path_manager=userspace}):
 * the connection opens and announces nothing by itself; a program does, with the commands of
 * {@link PmCommand} given to the stack, and learns what happens from the {@link PmEvent}s it polls
 * (as mptcpd does over netlink). Endpoints and their changes, which belong to the in-kernel
 * manager, are ignored. Joins from the peer are accepted up to {@link Limits#MAX} additional
 * subflows (Linux accepts them all while a user-space manager listens; the cap keeps a peer from
 * growing a connection without bound).
 */
public final class UserspacePathManager implements PathManager {
    @Override
    public String name() {
        return "userspace";
    }

    @Override
    public void onEndpointRemoved(Connection c, Endpoint e, long nowNanos) {
        // Endpoints are the in-kernel manager's; the program decides what this connection withdraws.
    }

    @Override
    public boolean acceptJoin(Connection c) {
        return c.extraSubflows() < Limits.MAX;
    }
}
