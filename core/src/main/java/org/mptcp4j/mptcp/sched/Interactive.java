package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Apple's "interactive" service type: the lowest latency. Data goes only on the subflow with the
 * lowest smoothed RTT; when its window is full the data waits for it rather than take a slower
 * path, where it would arrive later than if it had waited (the case {@code default} gets wrong for
 * small, latency-bound exchanges). Backups only when every subflow is one; a subflow whose path
 * fails leaves the choice as the connection marks it stale.
 */
public final class Interactive implements Scheduler {
    private String reason = "";

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        Subflow fast = Subflows.fastest(subflows, !Subflows.allBackup(subflows));
        if (fast == null) {
            reason = "none";
            return null;
        }
        if (fast.congestionRoom() <= 0) {
            reason = "lowest-rtt-full";
            return null;
        }
        reason = "lowest-rtt";
        return fast;
    }

    /** Reinjections too go on the lowest-RTT subflow only (a failed one leaves the list as it goes stale). */
    @Override
    public boolean mayReinjectOn(Subflow s, List<Subflow> subflows) {
        return s == Subflows.fastest(subflows, !Subflows.allBackup(subflows));
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "interactive";
    }
}
