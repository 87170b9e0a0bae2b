package org.mptcp4j.mptcp;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

/**
 * Writes scheduler decisions as CSV, one row per candidate subflow of each decision (a "long"
 * table that spreadsheets, pandas and gnuplot read as it is):
 *
 * <pre>
 * decision,time_s,conn,scheduler,kind,dsn_start,dsn_end,reason,asking,chosen,subflow,backup,srtt_us,rttvar_us,cwnd_bytes,in_flight_bytes,queued_bytes,room_bytes
 * </pre>
 *
 * {@code decision} numbers the decisions from 0; the rows of one decision share it. {@code asking}
 * and {@code chosen} are 1 on the row of the subflow that asked and of the one that took the data.
 * A write that fails stops the trace (the first error is kept, {@link #error}): a trace must not
 * break the connection it watches.
 */
public final class SchedulerTraceCsv implements SchedulerTrace {
    public static final String HEADER = "decision,time_s,conn,scheduler,kind,dsn_start,dsn_end,reason,asking,chosen,"
            + "subflow,backup,srtt_us,rttvar_us,cwnd_bytes,in_flight_bytes,queued_bytes,room_bytes";

    private final Appendable out;
    private final StringBuilder row = new StringBuilder(256);
    private long decisions;
    private IOException error;

    /** Writes the header now; {@code out} is the caller's to flush and close. */
    public SchedulerTraceCsv(Appendable out) {
        this.out = out;
        write(HEADER + "\n");
    }

    @Override
    public void onDecision(Decision d) {
        if (error != null) {
            return;
        }
        List<Candidate> cs = d.candidates();
        for (int i = 0; i < cs.size(); i++) {
            Candidate c = cs.get(i);
            row.setLength(0);
            row.append(decisions).append(',').append(String.format(Locale.ROOT, "%.9f", d.timeNanos() / 1e9))
                    .append(',').append(d.connection()).append(',').append(d.scheduler()).append(',')
                    .append(d.kind().name().toLowerCase(Locale.ROOT)).append(',').append(d.dsnStart()).append(',')
                    .append(d.dsnStart() + d.length()).append(',').append(d.reason()).append(',')
                    .append(i == d.asking() ? 1 : 0).append(',').append(i == d.chosen() ? 1 : 0).append(',')
                    .append(c.subflow()).append(',').append(c.backup() ? 1 : 0).append(',')
                    .append(c.srttNanos() / 1000).append(',').append(c.rttvarNanos() / 1000).append(',')
                    .append(c.cwndBytes()).append(',').append(c.inFlightBytes()).append(',').append(c.queuedBytes())
                    .append(',').append(c.roomBytes()).append('\n');
            write(row);
        }
        decisions++;
    }

    /** Decisions written so far. */
    public long decisions() {
        return decisions;
    }

    /** The write that stopped the trace, or null. */
    public IOException error() {
        return error;
    }

    private void write(CharSequence s) {
        try {
            out.append(s);
        } catch (IOException e) {
            error = e;
        }
    }
}
