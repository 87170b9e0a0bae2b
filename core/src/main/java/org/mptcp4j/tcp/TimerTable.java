package org.mptcp4j.tcp;

import org.mptcp4j.base.Nanos;

/**
 * The deadlines of one connection, one {@code long} per {@link Timer} ordinal, {@link Nanos#NEVER}
 * when stopped (quinn: {@code TimerTable}). Nothing here reads a clock: the connection asks
 * {@link #next()} and the driver calls back at that time.
 */
public final class TimerTable {
    private static final Timer[] TIMERS = Timer.values();
    private final long[] deadlines = new long[TIMERS.length];

    public TimerTable() {
        java.util.Arrays.fill(deadlines, Nanos.NEVER);
    }

    public void set(Timer timer, long atNanos) {
        deadlines[timer.ordinal()] = atNanos;
    }

    /** Sets the timer only if it is not running (RFC 6298 (5.1): start it if it is not running). */
    public void setIfStopped(Timer timer, long atNanos) {
        if (deadlines[timer.ordinal()] == Nanos.NEVER) {
            deadlines[timer.ordinal()] = atNanos;
        }
    }

    public void stop(Timer timer) {
        deadlines[timer.ordinal()] = Nanos.NEVER;
    }

    public void stopAll() {
        java.util.Arrays.fill(deadlines, Nanos.NEVER);
    }

    public boolean isRunning(Timer timer) {
        return deadlines[timer.ordinal()] != Nanos.NEVER;
    }

    public long deadline(Timer timer) {
        return deadlines[timer.ordinal()];
    }

    /** The earliest deadline, {@link Nanos#NEVER} when no timer runs. */
    public long next() {
        long min = Nanos.NEVER;
        for (long d : deadlines) {
            min = Math.min(min, d);
        }
        return min;
    }

    /** The first timer (in ordinal order) whose deadline is at or before {@code nowNanos}, else null. */
    public Timer expired(long nowNanos) {
        for (Timer t : TIMERS) {
            if (deadlines[t.ordinal()] <= nowNanos) {
                return t;
            }
        }
        return null;
    }
}
