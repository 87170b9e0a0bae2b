package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Apple's "handover" service type: one path carries the data, the others stand by and only move
 * to the front when it fails. The primary is the first subflow in the connection's order (the
 * initial one, then joins as they came) that is not a backup and still works; it waits when its
 * window is full rather than spill onto a standby. A primary "fails" when its retransmission timer
 * has fired {@link #FAILED_RTOS} times in a row (sooner than the connection calls it stale, 4) or
 * when it is gone or stale (then the connection no longer offers it). When it recovers it is the
 * primary again. What the failed primary held is reinjected by the connection-level
 * retransmission timer (RFC 8684 section 3.3.6).
 */
public final class Handover implements Scheduler {
    /** Retransmission timeouts in a row after which the primary is given up for the next subflow. */
    public static final int FAILED_RTOS = 2;

    private String reason = "";

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        Subflow primary = primary(subflows);
        if (primary == null) {
            reason = "none";
            return null;
        }
        if (primary.congestionRoom() <= 0) {
            reason = "primary-full";
            return null;
        }
        reason = primary == subflows.get(0) ? "primary" : "failed-over";
        return primary;
    }

    /** The first subflow that is not a backup (unless all are) and whose path has not failed; else the first. */
    static Subflow primary(List<Subflow> subflows) {
        boolean skipBackups = !Subflows.allBackup(subflows);
        Subflow first = null;
        for (Subflow s : subflows) {
            if (skipBackups && s.isBackup()) {
                continue;
            }
            if (first == null) {
                first = s;
            }
            if (s.tcp().consecutiveRtos() < FAILED_RTOS) {
                return s;
            }
        }
        return first;
    }

    /** Reinjections go on the primary only: onto the standby only once the primary failed. */
    @Override
    public boolean mayReinjectOn(Subflow s, List<Subflow> subflows) {
        return s == primary(subflows);
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "handover";
    }
}
