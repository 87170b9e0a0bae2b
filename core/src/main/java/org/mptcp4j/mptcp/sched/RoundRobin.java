package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;

/**
 * Round-robin (the multipath-tcp.org kernel's {@code mptcp_rr}): the subflows take turns, each
 * carrying {@code segmentsPerTurn} full segments of new data before the next one's turn. A subflow
 * whose congestion window is full loses its turn to the next (the kernel's default
 * {@code cwnd_limited=1}), so on paths of unequal capacity the faster still carries more; on equal
 * paths the split is even. Backups take turns only when every subflow is a backup.
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
        if (at >= 0 && turnLeftBytes > 0 && current.congestionRoom() > 0 && !(skipBackups && current.isBackup())) {
            reason = "turn";
            return current;
        }
        // The turn passes on: the next subflow in order (after the current one) with room.
        int n = subflows.size();
        for (int i = 1; i <= n; i++) {
            Subflow s = subflows.get(Math.floorMod(at + i, n));
            if (skipBackups && s.isBackup() || s.congestionRoom() <= 0) {
                continue;
            }
            reason = s == current ? "turn-again" : at >= 0 && turnLeftBytes > 0 ? "turn-skipped-full" : "next-turn";
            current = s;
            turnLeftBytes = (long) segmentsPerTurn * s.tcp().dataMss();
            return s;
        }
        reason = "no-room";
        return null;
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
