package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * What BLEST and ECF share: the fastest subflow (lowest smoothed RTT) sends while its window has
 * room, as with {@code default}; when it is full and a slower one has room, the subclass decides
 * whether the slower one sends now or the data waits for the fast one.
 */
abstract class FastOrWait implements Scheduler {
    /** Set by each {@link #select}, and by {@link #slowSends} for its own decision. */
    String reason = "";

    @Override
    public final Subflow select(List<Subflow> subflows, SendState send) {
        boolean skipBackups = !Subflows.allBackup(subflows);
        Subflow fast = Subflows.fastest(subflows, skipBackups);
        if (fast == null) {
            reason = "none";
            return null;
        }
        if (fast.congestionRoom() > 0) {
            reason = "fastest";
            return fast;
        }
        Subflow slow = Subflows.fastestWithRoom(subflows, skipBackups);
        if (slow == null) {
            reason = "no-room";
            return null;
        }
        return slowSends(fast, slow, send) ? slow : null;
    }

    /** Whether {@code slow} sends now ({@code fast} being full) rather than the data wait for {@code fast}; sets {@link #reason}. */
    abstract boolean slowSends(Subflow fast, Subflow slow, SendState send);

    @Override
    public String reason() {
        return reason;
    }
}
