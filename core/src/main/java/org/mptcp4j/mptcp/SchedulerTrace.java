package org.mptcp4j.mptcp;

import java.util.List;

/**
 * Receives every decision of a connection's {@link Scheduler}, for a trace a user reads to see why
 * data went where it went. Off unless set ({@code Stack.setSchedulerTrace}); when off the send path
 * pays one null check per mapping and builds nothing. {@link SchedulerTraceCsv} writes the
 * decisions as CSV.
 *
 * <p>Called on the stack's thread, in the middle of sending: an implementation must not call back
 * into the stack, and should be quick (the simulator and the drivers buffer what they write).
 */
@FunctionalInterface
public interface SchedulerTrace {
    void onDecision(Decision d);

    /** What a decision did. */
    enum Kind {
        /** New data went on {@link Decision#chosen}. */
        NEW,
        /** Data another subflow had (a failed or stale one) went again on the chosen one (RFC 8684 section 3.3.6). */
        REINJECT,
        /** A copy of data another subflow carried, under the redundant scheduler. */
        COPY,
        /** Data was waiting and a subflow asked for it, and the scheduler chose nobody: it waits (for a fast subflow, say). */
        WAIT
    }

    /**
     * One decision.
     *
     * @param timeNanos the stack's time
     * @param connection the connection's handle id (as {@code Stack} gives it)
     * @param scheduler the scheduler's name
     * @param kind what was done
     * @param dsnStart the first data sequence number, relative to the connection's initial one (as
     *     Wireshark shows it: 0 is the first byte the application wrote)
     * @param length data bytes mapped (0 for {@link Kind#WAIT})
     * @param chosen index into {@code candidates} of the subflow that took the data, or -1
     * @param asking index into {@code candidates} of the subflow whose window opened and asked
     * @param reason the scheduler's word for why ({@link Scheduler#reason}); {@code only-subflow}
     *     when there was no choice
     * @param candidates every subflow the scheduler chose among, as it saw them
     */
    record Decision(long timeNanos, long connection, String scheduler, Kind kind, long dsnStart, int length,
            int chosen, int asking, String reason, List<Candidate> candidates) {}

    /**
     * A subflow as the scheduler saw it.
     *
     * @param subflow "local -> remote", its addresses and ports
     * @param queuedBytes bytes the subflow holds unacknowledged: in flight plus queued not yet sent
     * @param roomBytes what its congestion and send windows let out now, less what it holds unsent
     */
    record Candidate(String subflow, boolean backup, long srttNanos, long rttvarNanos, long cwndBytes,
            long inFlightBytes, long queuedBytes, long roomBytes) {

        static Candidate of(Subflow s) {
            return new Candidate(s.tcp().local() + " -> " + s.tcp().remote(), s.isBackup(), s.srttNanos(),
                    s.tcp().rttvarNanos(), s.tcp().cwndBytes(), s.tcp().bytesInFlight(), s.bytesQueued(),
                    s.congestionRoom());
        }
    }
}
