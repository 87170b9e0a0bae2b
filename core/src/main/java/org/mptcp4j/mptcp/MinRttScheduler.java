package org.mptcp4j.mptcp;

import java.util.List;

/**
 * The default scheduler of the paper (section 4.3) and of the multipath-tcp.org kernel: the
 * subflow with the lowest smoothed RTT among those whose congestion window has room; backup
 * subflows (RFC 8684 section 3.3.8) only when no regular subflow is usable at all. Linux
 * mainline's default is another ({@link org.mptcp4j.mptcp.sched.Linger}).
 */
public final class MinRttScheduler implements Scheduler {
    private String reason = "";

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        // One pass over the subflows, not two (whether all are backups, then the best), and a
        // subflow's room is asked only when its RTT would beat the best so far: this runs for every
        // mapping, and its cost is what grows with the number of subflows.
        Subflow best = null;
        Subflow bestBackup = null;
        boolean regular = false;
        for (Subflow s : subflows) {
            boolean backup = s.isBackup();
            regular |= !backup;
            if (backup && regular) {
                continue;
            }
            Subflow incumbent = backup ? bestBackup : best;
            if (incumbent != null && s.srttNanos() >= incumbent.srttNanos() || s.congestionRoom() <= 0) {
                continue;
            }
            if (backup) {
                bestBackup = s;
            } else {
                best = s;
            }
        }
        best = regular ? best : bestBackup;
        reason = best == null ? "no-room" : best.isBackup() ? "backup-only" : "lowest-srtt";
        return best;
    }

    /** Whether every subflow is a backup (then backups carry data, as in Linux). */
    public static boolean allBackup(List<Subflow> subflows) {
        for (Subflow s : subflows) {
            if (!s.isBackup()) {
                return false;
            }
        }
        return true;
    }

    /** The subflow with the lowest smoothed RTT whose windows have room, backups left out if {@code skipBackups}. */
    public static Subflow lowestRttWithRoom(List<Subflow> subflows, boolean skipBackups) {
        Subflow best = null;
        for (Subflow s : subflows) {
            // The RTT first: a subflow that cannot beat the best so far needs no room computed.
            if (skipBackups && s.isBackup() || best != null && s.srttNanos() >= best.srttNanos()
                    || s.congestionRoom() <= 0) {
                continue;
            }
            best = s;
        }
        return best;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "default";
    }
}
