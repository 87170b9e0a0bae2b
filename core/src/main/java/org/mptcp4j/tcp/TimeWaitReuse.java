package org.mptcp4j.tcp;

import java.util.Optional;
import org.mptcp4j.base.Seq32;
import org.mptcp4j.wire.TcpOption;
import org.mptcp4j.wire.TcpSegment;

/**
 * Whether a SYN may take over a tuple held in TIME-WAIT (RFC 9293 3.6.1, RFC 6191 section 2).
 * Linux: {@code tcp_timewait_state_process}.
 */
public final class TimeWaitReuse {
    private TimeWaitReuse() {}

    /**
     * RFC 6191 section 2: when the old incarnation used timestamps and the new one will, the
     * timestamp decides ("greater than the last timestamp seen", or equal with a greater sequence
     * number) and an older timestamp means "silently drop", whatever the sequence number says;
     * otherwise the SYN's sequence number must be above the old RCV.NXT.
     *
     * @param timestampsWanted whether this stack would enable timestamps for the new incarnation
     */
    public static boolean mayReuse(TcpConnection old, TcpSegment syn, boolean timestampsWanted) {
        boolean seqNewer = Seq32.gt(syn.seq(), old.rcvNxt());
        Optional<TcpOption.Timestamps> ts = syn.option(TcpOption.Timestamps.class);
        if (!old.tsOk || !old.tsRecentValid || !timestampsWanted || ts.isEmpty()) {
            return seqNewer;
        }
        int tsVal = ts.get().tsVal();
        return Seq32.gt(tsVal, old.tsRecent) || (tsVal == old.tsRecent && seqNewer);
    }
}
