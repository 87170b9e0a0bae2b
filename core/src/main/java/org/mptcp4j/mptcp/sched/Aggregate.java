package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.MinRttScheduler;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Apple's "aggregate" service type: every path carries data at once, for the most throughput.
 * The lowest-RTT subflow with room takes the next segment, as {@code default} does, but backup
 * flags (RFC 8684 section 3.3.8) are not obeyed: a backup path is one more path to aggregate.
 */
public final class Aggregate implements Scheduler {
    private String reason = "";

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        Subflow s = MinRttScheduler.lowestRttWithRoom(subflows, false);
        reason = s == null ? "no-room" : "lowest-srtt";
        return s;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "aggregate";
    }
}
