package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.MinRttScheduler;
import org.mptcp4j.mptcp.Subflow;

/** What several schedulers ask of a list of subflows. */
final class Subflows {
    private Subflows() {}

    /** Whether every subflow is a backup: then backups carry data (RFC 8684 section 3.3.8, as Linux). */
    static boolean allBackup(List<Subflow> subflows) {
        return MinRttScheduler.allBackup(subflows);
    }

    /** The subflow with the lowest smoothed RTT, room or not; backups left out if {@code skipBackups}. */
    static Subflow fastest(List<Subflow> subflows, boolean skipBackups) {
        Subflow best = null;
        for (Subflow s : subflows) {
            if (skipBackups && s.isBackup()) {
                continue;
            }
            if (best == null || s.srttNanos() < best.srttNanos()) {
                best = s;
            }
        }
        return best;
    }

    /** The subflow with the lowest smoothed RTT whose windows have room; null if none. */
    static Subflow fastestWithRoom(List<Subflow> subflows, boolean skipBackups) {
        return MinRttScheduler.lowestRttWithRoom(subflows, skipBackups);
    }
}
