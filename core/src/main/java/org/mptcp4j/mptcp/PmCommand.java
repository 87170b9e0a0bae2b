package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A command of a user-space path manager to one connection, named by its local token, as Linux's
 * netlink path manager takes them ({@code MPTCP_PM_CMD_*} in {@code uapi/linux/mptcp_pm.h};
 * mptcpd's {@code mptcpd_pm_*} calls). The stack runs it with {@code Stack.pmCommand}, and says
 * how it went with a {@link Result}; a connection whose path manager is not {@code userspace}
 * refuses them, as Linux does.
 */
public sealed interface PmCommand {
    /** The connection's local token, as the events carry it. */
    int token();

    /** {@code MPTCP_PM_CMD_ANNOUNCE}: ADD_ADDR of our {@code address} with id {@code id} (port 0: the connection's). */
    record Announce(int token, int id, InetAddress address, int port) implements PmCommand {}

    /** {@code MPTCP_PM_CMD_REMOVE}: REMOVE_ADDR of our address id {@code id}; subflows from it close. */
    record Remove(int token, int id) implements PmCommand {}

    /** {@code MPTCP_PM_CMD_SUBFLOW_CREATE}: an MP_JOIN subflow from {@code local} (id {@code localId}) to {@code remote}. */
    record SubflowCreate(int token, InetAddress local, int localId, InetSocketAddress remote, boolean backup)
            implements PmCommand {}

    /**
     * {@code MPTCP_PM_CMD_SUBFLOW_DESTROY}: closes the subflow with these addresses; its data not
     * yet DATA_ACKed goes again on the others first, so nothing is lost.
     */
    record SubflowDestroy(int token, InetSocketAddress local, InetSocketAddress remote) implements PmCommand {}

    /** {@code MPTCP_PM_CMD_SET_FLAGS}: the subflow's backup priority, told to the peer with MP_PRIO. */
    record SetPriority(int token, InetSocketAddress local, InetSocketAddress remote, boolean backup)
            implements PmCommand {}

    /** How a command went (Linux answers the netlink request with 0 or an errno and an extack message). */
    enum Result {
        DONE,
        /** No connection of the stack has the token (Linux: EINVAL, "invalid token"). */
        NO_SUCH_TOKEN,
        /** The connection's path manager is not {@code userspace}, or it is not (or no longer) MPTCP. */
        NOT_USERSPACE,
        /** No subflow of the connection has these addresses, or no address has this id. */
        NO_SUCH_SUBFLOW,
        /** The subflow could not be opened: not our address, another family, no free port, joins no longer allowed. */
        FAILED,
        /** An address id out of 0 to 255, or 0 where the initial address cannot be meant. */
        INVALID
    }
}
