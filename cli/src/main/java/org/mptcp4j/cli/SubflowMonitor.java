package org.mptcp4j.cli;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.MptcpConnection;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;
import org.mptcp4j.stack.Stack;

/**
 * Watches one connection from both ends in the simulator, as {@code ss -Mi} would on each host:
 * samples both ends' {@link MptcpInfo} every {@link #SAMPLE_NANOS} of network time, and every
 * second prints a line per subflow like iperf's interval lines. A subflow's goodput is what it
 * delivered to the receiver's data level ({@code SubflowInfo.dataBytesReceived} there); its cwnd,
 * srtt and retransmissions are the sender's. Samples outlive the subflows, which leave the
 * connection once the DATA_FINs are through, so the summary still has them.
 */
final class SubflowMonitor {
    static final long SAMPLE_NANOS = Nanos.ofMillis(10);
    static final long LINE_NANOS = Nanos.ofSeconds(1);

    /** One subflow as last seen, keyed by the sender's address and port. */
    static final class Row {
        final InetSocketAddress local;
        MptcpInfo.SubflowInfo sender;
        long delivered;
        long deliveredAtLine;
        long retransmitsAtLine;

        Row(InetSocketAddress local) {
            this.local = local;
        }

        MptcpInfo.SubflowInfo sender() {
            return sender;
        }

        long delivered() {
            return delivered;
        }
    }

    private final Simulation sim;
    private final Stack senderStack;
    private final Stack receiverStack;
    private final java.util.function.Supplier<ConnHandle> senderConn;
    private final java.util.function.Supplier<ConnHandle> receiverConn;
    private final Function<InetSocketAddress, String> label;
    private final java.util.function.LongSupplier receivedTotal;
    private final PrintStream out;
    private final Map<InetSocketAddress, Row> rows = new LinkedHashMap<>();
    private MptcpConnection.Mode mode;
    private long lineStartNanos;
    private long totalAtLine;
    private boolean stopped;

    /**
     * @param label names a subflow by its sender-side address (the path it leaves on)
     * @param receivedTotal bytes the receiving application has read so far
     */
    SubflowMonitor(Simulation sim, Stack senderStack, java.util.function.Supplier<ConnHandle> senderConn, Stack receiverStack,
            java.util.function.Supplier<ConnHandle> receiverConn, Function<InetSocketAddress, String> label,
            java.util.function.LongSupplier receivedTotal, PrintStream out) {
        this.sim = sim;
        this.senderStack = senderStack;
        this.senderConn = senderConn;
        this.receiverStack = receiverStack;
        this.receiverConn = receiverConn;
        this.label = label;
        this.receivedTotal = receivedTotal;
        this.out = out;
    }

    void start() {
        out.println("[subflow        ]   interval        transfer      goodput      cwnd     srtt  retrans");
        lineStartNanos = sim.nowNanos();
        sim.schedule(sim.nowNanos() + SAMPLE_NANOS, this::onSample, null);
    }

    /** Takes the last sample, prints the last (partial) interval and stops sampling. */
    void finish() {
        stopped = true;
        sample();
        if (sim.nowNanos() > lineStartNanos) {
            printLines(sim.nowNanos());
        }
    }

    /** The subflows seen, in the order they appeared. */
    List<Row> rows() {
        return new ArrayList<>(rows.values());
    }

    /** The connection's mode as last seen (null before the first sample found it). */
    MptcpConnection.Mode mode() {
        return mode;
    }

    private void onSample(long nowNanos, Object unused) {
        if (stopped) {
            return;
        }
        sample();
        if (nowNanos - lineStartNanos >= LINE_NANOS) {
            printLines(nowNanos);
        }
        sim.schedule(nowNanos + SAMPLE_NANOS, this::onSample, null);
    }

    private void sample() {
        MptcpInfo snd = info(senderStack, senderConn.get());
        MptcpInfo rcv = info(receiverStack, receiverConn.get());
        if (snd != null) {
            mode = snd.mode();
            for (MptcpInfo.SubflowInfo s : snd.subflows()) {
                rows.computeIfAbsent(s.local(), Row::new).sender = s;
            }
        }
        if (rcv != null) {
            for (MptcpInfo.SubflowInfo r : rcv.subflows()) {
                // Plain TCP maps nothing: what its one connection received is all the data there is.
                long delivered = rcv.mode() == MptcpConnection.Mode.MPTCP ? r.dataBytesReceived() : r.bytesReceived();
                Row row = rows.computeIfAbsent(r.remote(), Row::new);
                row.delivered = Math.max(row.delivered, delivered);
            }
        }
    }

    private void printLines(long nowNanos) {
        double seconds = Nanos.toSeconds(nowNanos - lineStartNanos);
        String span = String.format(Locale.ROOT, "%5.2f-%5.2f s", Nanos.toSeconds(lineStartNanos), Nanos.toSeconds(nowNanos));
        int printed = 0;
        for (Row row : rows.values()) {
            if (row.sender == null) {
                continue;
            }
            long bytes = row.delivered - row.deliveredAtLine;
            long retransmits = row.sender.retransmits() - row.retransmitsAtLine;
            row.deliveredAtLine = row.delivered;
            row.retransmitsAtLine = row.sender.retransmits();
            out.printf(Locale.ROOT, "[%s %-13s] %s  %7.2f MB  %6.1f Mbit/s  %5d KiB  %5.1f ms  %5d%n", label.apply(row.local),
                    row.local.getAddress().getHostAddress(), span, bytes / 1e6, bytes * 8 / seconds / 1e6,
                    row.sender.cwndBytes() >> 10, row.sender.srttNanos() / 1e6, retransmits);
            printed++;
        }
        long total = receivedTotal.getAsLong();
        if (printed > 1) {
            out.printf(Locale.ROOT, "[SUM %-11s] %s  %7.2f MB  %6.1f Mbit/s%n", "", span, (total - totalAtLine) / 1e6,
                    (total - totalAtLine) * 8 / seconds / 1e6);
        }
        totalAtLine = total;
        lineStartNanos = nowNanos;
    }

    /**
     * The connection's MPTCP_INFO; a plain TCP connection has no MPTCP subflows, so its one TCP
     * connection is shown as the single subflow it amounts to.
     */
    private static MptcpInfo info(Stack stack, ConnHandle conn) {
        MptcpInfo info = conn == null ? null : stack.mptcpInfo(conn);
        if (info == null || info.mode() == MptcpConnection.Mode.MPTCP || !info.subflows().isEmpty()) {
            return info;
        }
        ConnectionInfo t = stack.info(conn);
        if (t == null) {
            return info;
        }
        return MptcpInfo.plain(info.mode(), List.of(new MptcpInfo.SubflowInfo(t.local(), t.remote(), t.state(), 0, 0,
                false, false, t.srttNanos(), t.cwndBytes(), t.bytesSent(), t.bytesAcked(), t.bytesReceived(),
                t.retransmits(), 0, 0, t.rttvarNanos(), t.rtoNanos(), t.ssthreshBytes(), t.mss(), t.bytesInFlight(),
                t.bytesRetransmitted(), t.sndWnd(), t.rcvWnd(), false)));
    }
}
