package org.mptcp4j.sim.stack;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.stack.ConnHandle;
import org.mptcp4j.stack.ConnectionInfo;

/**
 * Samples one connection's statistics ({@code ss -ti}: cwnd, ssthresh, srtt, rttvar, rto,
 * retransmits, bytes acked...) at a fixed interval of virtual time, for tables and plots.
 */
public final class ConnectionTrace {
    /** One sample. */
    public record Sample(long atNanos, ConnectionInfo info) {}

    private final List<Sample> samples = new ArrayList<>();

    private ConnectionTrace() {}

    /**
     * Starts sampling {@code conn} (looked up lazily, so a connection opened later works) every
     * {@code intervalNanos} until {@code untilNanos}.
     */
    public static ConnectionTrace every(Simulation sim, StackEndpoint endpoint, Supplier<ConnHandle> conn,
            long intervalNanos, long untilNanos) {
        ConnectionTrace t = new ConnectionTrace();
        sim.schedule(sim.nowNanos() + intervalNanos, new org.mptcp4j.sim.EventHandler() {
            @Override
            public void onEvent(long now, Object arg) {
                ConnHandle c = conn.get();
                ConnectionInfo info = c == null ? null : endpoint.stack().info(c);
                if (info != null) {
                    t.samples.add(new Sample(now, info));
                }
                if (now + intervalNanos <= untilNanos) {
                    sim.schedule(now + intervalNanos, this, null);
                }
            }
        }, null);
        return t;
    }

    public List<Sample> samples() {
        return List.copyOf(samples);
    }

    /** The samples as CSV: time in seconds, then the main {@code ss -ti} fields. */
    public String toCsv() {
        StringBuilder sb = new StringBuilder(
                "time_s,state,cwnd_bytes,ssthresh_bytes,srtt_ms,rttvar_ms,rto_ms,bytes_acked,retrans,unacked_bytes\n");
        for (Sample s : samples) {
            ConnectionInfo i = s.info();
            sb.append(String.format(java.util.Locale.ROOT, "%.3f,%s,%d,%s,%.3f,%.3f,%.1f,%d,%d,%d%n",
                    Nanos.toSeconds(s.atNanos()), i.state(), i.cwndBytes(),
                    i.ssthreshBytes() == Long.MAX_VALUE ? "inf" : Long.toString(i.ssthreshBytes()),
                    i.srttNanos() / 1e6, i.rttvarNanos() / 1e6, i.rtoNanos() / 1e6, i.bytesAcked(), i.retransmits(),
                    i.bytesInFlight()));
        }
        return sb.toString();
    }
}
