package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Redundant (the multipath-tcp.org kernel's {@code mptcp_redundant}): every byte goes on every
 * subflow, each subflow as fast as its own windows allow, from the first byte it has not carried
 * that the peer has not DATA_ACKed yet. The receiver keeps whichever copy arrives first and drops
 * the others at the data level (MPTcpExtDuplicateData). The loss of a path costs nothing as long
 * as another works: no retransmission timeout, no reinjection wait. It trades capacity for
 * latency and robustness; it is not for bulk transfer. Backups carry copies only when every
 * subflow is a backup.
 */
public final class Redundant implements Scheduler {
    private String reason = "";

    /** Asked when a subflow may send: any with room; the connection lets each pull its own copy. */
    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        Subflow s = Subflows.fastestWithRoom(subflows, !Subflows.allBackup(subflows));
        reason = s == null ? "no-room" : "copy";
        return s;
    }

    @Override
    public boolean sendsOnEverySubflow() {
        return true;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "redundant";
    }
}
