package org.mptcp4j.cli.sim;

import org.mptcp4j.mptcp.ReceiveBufferPolicy;

/**
 * What a sweep is run with: the same settings give the same runs, so jobs emitted on one machine
 * and collected on another agree.
 *
 * @param seeds runs per point of a figure (seeds 1..seeds)
 * @param durationSeconds simulated seconds of each timed run (bulk transfers); warm-up included
 * @param quick a small sweep (fewer points, short runs) for a first look and for tests
 * @param coupledCc the coupled algorithm set against uncoupled Reno (fig4, fig5): lia or lia-exact, olia, balia
 * @param cc every subflow's congestion control where one algorithm runs (fig6, fig7, aggregation)
 * @param scheduler the MPTCP scheduler of both ends where one connection runs over two paths (fig6,
 *     fig7, aggregation), by {@link org.mptcp4j.mptcp.Scheduler#byName} name
 * @param autotune receive-buffer autotuning up to the maximum (off: the buffer is the maximum from the start)
 * @param bottleneckLossPercent random loss on the shared bottleneck of fig4 and fig5
 * @param queuePackets the drop-tail queue of each path in fig6, fig7 and aggregation
 * @param receiveBuffer opportunistic retransmission, penalization and the action on the slowest
 *     subflow when the receive buffer's cap binds, at both ends (fig6, fig7, aggregation)
 */
record Settings(int seeds, double durationSeconds, boolean quick, String coupledCc, String cc, String scheduler, boolean autotune,
                double bottleneckLossPercent, int queuePackets, ReceiveBufferPolicy receiveBuffer) {
    /** The command-line form of these settings, for emitted jobs. */
    String asArguments() {
        return String.format(java.util.Locale.ROOT,
                "--seeds %d --duration %s --coupled-cc %s --cc %s --scheduler %s --autotune %s --bottleneck-loss %s --queue %d"
                        + " --opportunistic-retransmission %s --penalization %s --when-capped %s%s", seeds,
                trim(durationSeconds), coupledCc, cc, scheduler, onOff(autotune), trim(bottleneckLossPercent), queuePackets,
                onOff(receiveBuffer.opportunisticRetransmission()), onOff(receiveBuffer.penalization()),
                receiveBuffer.whenCapped().name().toLowerCase(java.util.Locale.ROOT), quick ? " --quick" : "");
    }

    private static String onOff(boolean on) {
        return on ? "on" : "off";
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
