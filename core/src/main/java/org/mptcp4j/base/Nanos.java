package org.mptcp4j.base;

/** Time is {@code long} nanoseconds on a monotone clock the driver owns; these are its units. */
public final class Nanos {
    private Nanos() {}

    /** "No deadline": later than every real time. */
    public static final long NEVER = Long.MAX_VALUE;

    public static final long PER_MICRO = 1_000L;
    public static final long PER_MILLI = 1_000_000L;
    public static final long PER_SECOND = 1_000_000_000L;

    public static long ofMicros(long micros) {
        return micros * PER_MICRO;
    }

    public static long ofMillis(long millis) {
        return millis * PER_MILLI;
    }

    public static long ofSeconds(long seconds) {
        return seconds * PER_SECOND;
    }

    public static double toMillis(long nanos) {
        return nanos / (double) PER_MILLI;
    }

    public static double toSeconds(long nanos) {
        return nanos / (double) PER_SECOND;
    }

    /** The earlier of two deadlines ({@link #NEVER} loses against any real time). */
    public static long earliest(long a, long b) {
        return Math.min(a, b);
    }
}
