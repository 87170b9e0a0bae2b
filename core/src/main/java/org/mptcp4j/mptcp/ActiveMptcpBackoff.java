package org.mptcp4j.mptcp;

/**
 * A stack's memory of MP_CAPABLE blackholes (Linux keeps it per network namespace): while it says
 * {@link #disabled}, new connections go out as plain TCP. See {@link BlackholePolicy}.
 */
public final class ActiveMptcpBackoff {
    /** The period doubles per repeat up to 2^6 times the first, as Linux caps it. */
    private static final int MAX_DOUBLINGS = 6;

    private final BlackholePolicy policy;
    /** Blackholes found in a row without an MPTCP connection succeeding in between. */
    private int disableTimes;
    private long disabledSinceNanos;

    public ActiveMptcpBackoff(BlackholePolicy policy) {
        this.policy = policy;
    }

    /** Whether a connection opened at {@code nowNanos} must not offer MPTCP. */
    public boolean disabled(long nowNanos) {
        if (policy.timeoutNanos() == 0 || disableTimes == 0) {
            return false;
        }
        long period = policy.timeoutNanos() << Math.min(disableTimes - 1, MAX_DOUBLINGS);
        return nowNanos - disabledSinceNanos < period;
    }

    /** A blackhole was found at {@code nowNanos}: active MPTCP goes off (no-op when detection is off). */
    public boolean onBlackhole(long nowNanos) {
        if (policy.timeoutNanos() == 0) {
            return false;
        }
        disableTimes++;
        disabledSinceNanos = nowNanos;
        return true;
    }

    /** An MPTCP handshake succeeded: the blackhole, if any, has gone; the next one starts at the first period. */
    public void onMptcpWorked() {
        disableTimes = 0;
    }
}
