package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Round-robin (the multipath-tcp.org kernel's {@code mptcp_rr}): the subflows take turns in their
 * order, each carrying {@code segmentsPerTurn} full segments of new data before the next one's
 * turn. A subflow whose windows are full keeps its turn and the data waits for it: the split is
 * even, whatever the paths' RTTs, and a slow path holds the connection to twice its own rate;
 * that is round-robin's price, and why it is a test tool rather than a default. (The kernel's
 * module by default passes a full subflow's turn on, {@code cwnd_limited=1}; the split then
 * follows the paths' capacities, which is {@code default}'s job.) Backups take turns only when every subflow is a backup.
 */
public final class RoundRobin implements Scheduler {
    /** The most segments a turn may last (a turn longer than a window is no rotation at all). */
    public static final int MAX_SEGMENTS_PER_TURN = 1024;

    private final int segmentsPerTurn;
    /** Whose turn it is, and how many bytes of it are left. */
    private Subflow current;
    private long turnLeftBytes;
    private String reason = "";

    public RoundRobin(int segmentsPerTurn) {
        if (segmentsPerTurn < 1 || segmentsPerTurn > MAX_SEGMENTS_PER_TURN) {
            throw new IllegalArgumentException("segments per turn " + segmentsPerTurn + " not in 1.."
                    + MAX_SEGMENTS_PER_TURN);
        }
        this.segmentsPerTurn = segmentsPerTurn;
    }

    public int segmentsPerTurn() {
        return segmentsPerTurn;
    }

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        boolean skipBackups = !Subflows.allBackup(subflows);
        int at = subflows.indexOf(current);
        if (at < 0 || turnLeftBytes <= 0 || skipBackups && current.isBackup()) {
            // The turn passes on: to the next subflow in order after the current one.
            int n = subflows.size();
            Subflow next = null;
            for (int i = 1; i <= n && next == null; i++) {
                Subflow s = subflows.get(Math.floorMod(at + i, n));
                if (!(skipBackups && s.isBackup())) {
                    next = s;
                }
            }
            if (next == null) {
                reason = "none";
                return null;
            }
            current = next;
            turnLeftBytes = (long) segmentsPerTurn * next.tcp().dataMss();
        }
        if (current.congestionRoom() <= 0) {
            reason = "turn-full"; // its turn waits for its window: the split stays even
            return null;
        }
        reason = "turn";
        return current;
    }

    @Override
    public int turnBytes(Subflow chosen) {
        return chosen == current ? (int) Math.max(1, Math.min(turnLeftBytes, Integer.MAX_VALUE)) : Integer.MAX_VALUE;
    }

    @Override
    public void onMapped(Subflow chosen, long dsn, int bytes) {
        if (chosen == current) {
            turnLeftBytes -= bytes;
        }
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return segmentsPerTurn == 1 ? "roundrobin" : "roundrobin:" + segmentsPerTurn;
    }
}
