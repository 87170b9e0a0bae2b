package org.mptcp4j.mptcp.sched;

import java.util.List;
import org.mptcp4j.mptcp.Scheduler;
import org.mptcp4j.mptcp.Subflow;
import org.mptcp4j.tcp.TcpConnection;

/**
 * Upstream Linux's default scheduler (6.x; {@code mptcp_subflow_get_send} in
 * {@code net/mptcp/protocol.c}; the selftests' BPF copy of it is {@code burst}): the next data
 * goes to the subflow whose queue drains first, its "linger time", the bytes it holds over the
 * rate it sends at; and when that subflow has no room, nothing is sent, however much room a
 * slower one has. The data waits for the subflow where it would arrive first, so a slow path
 * never takes more than it drains while the fast one does; at the end of a transfer the last
 * bytes are not left on a path whose queue holds them back.
 *
 * <p>Linux divides {@code sk_wmem_queued} (the subflow's unacknowledged and unsent bytes) by
 * {@code sk_pacing_rate} (TCP's: {@code mss * cwnd / srtt}, times 2 in slow start and 1.2 after,
 * {@code tcp_pacing_ss_ratio} and {@code tcp_pacing_ca_ratio}). Here a subflow pulls its data
 * when its window opens and holds no unsent queue, so its bytes in flight stand for the queue, and
 * the rate is TCP's rate of the moment where Linux averages it over its bursts
 * ({@code avg_pacing_rate}). Backups carry data only when every subflow is a backup, as with
 * {@code default}.
 */
public final class Linger implements Scheduler {
    /** Linux's {@code tcp_pacing_ss_ratio} and {@code tcp_pacing_ca_ratio}, percent. */
    static final int SLOW_START_RATIO = 200;
    static final int CONGESTION_AVOIDANCE_RATIO = 120;

    private String reason = "";

    @Override
    public Subflow select(List<Subflow> subflows, SendState send) {
        boolean skipBackups = !Subflows.allBackup(subflows);
        Subflow best = null;
        double bestLinger = Double.MAX_VALUE;
        for (Subflow s : subflows) {
            if (skipBackups && s.isBackup()) {
                continue;
            }
            double linger = lingerNanos(s);
            if (linger < bestLinger) {
                best = s;
                bestLinger = linger;
            }
        }
        if (best == null) {
            reason = "none";
            return null;
        }
        if (best.congestionRoom() <= 0) {
            reason = "linger-wait";
            return null;
        }
        reason = "shortest-linger";
        return best;
    }

    /** {@link #lingerNanos(long, long, long, long)} of {@code s}. */
    private static double lingerNanos(Subflow s) {
        TcpConnection t = s.tcp();
        return lingerNanos(t.bytesInFlight(), t.cwndBytes(), t.ssthreshBytes(), s.srttNanos());
    }

    /**
     * How long a subflow takes to send the {@code inFlight} bytes it holds at its rate: {@code cwnd
     * / srtt} times Linux's pacing ratio (2 while {@code cwnd < ssthresh}, 1.2 after). Zero for a
     * subflow that holds nothing or has no RTT sample yet (Linux starts a subflow's average rate
     * at its first pacing rate).
     */
    static double lingerNanos(long inFlight, long cwnd, long ssthresh, long srttNanos) {
        if (inFlight == 0 || srttNanos <= 0 || cwnd <= 0) {
            return 0;
        }
        int ratio = cwnd < ssthresh ? SLOW_START_RATIO : CONGESTION_AVOIDANCE_RATIO;
        double bytesPerNano = cwnd * (ratio / 100.0) / srttNanos;
        return inFlight / bytesPerNano;
    }

    @Override
    public String reason() {
        return reason;
    }

    @Override
    public String name() {
        return "linger";
    }
}
