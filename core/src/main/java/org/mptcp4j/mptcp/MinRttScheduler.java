package org.mptcp4j.mptcp;

import java.util.List;

/**
 * The default scheduler of the paper (section 4.3) and of Linux: the subflow with the lowest
 * smoothed RTT among those whose congestion window has room; backup subflows (RFC 8684 section
 * 3.3.8) only when no regular subflow is usable at all.
 */
public final class MinRttScheduler implements Scheduler {
    @Override
    public Subflow select(List<Subflow> subflows) {
        boolean regularExists = false;
        for (Subflow s : subflows) {
            if (!s.isBackup()) {
                regularExists = true;
                break;
            }
        }
        Subflow best = null;
        for (Subflow s : subflows) {
            if (regularExists && s.isBackup()) {
                continue;
            }
            if (s.congestionRoom() <= 0) {
                continue;
            }
            if (best == null || s.srttNanos() < best.srttNanos()) {
                best = s;
            }
        }
        return best;
    }

    @Override
    public String name() {
        return "default";
    }
}
