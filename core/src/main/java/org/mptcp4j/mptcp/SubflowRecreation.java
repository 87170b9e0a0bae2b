package org.mptcp4j.mptcp;

/**
 * Opening a failed subflow again: one reset by a middlebox (a NAT that timed the mapping out and
 * answers with a RST) or given up by its TCP after a path stayed down, while the connection still
 * runs. The client's path manager opens it again from the same address to the same one after
 * {@code firstDelayNanos}, doubling the wait after each attempt that fails, up to
 * {@code maxDelayNanos}, until one is established; then the next failure waits the first delay
 * again. Linux's in-kernel path manager leaves such a subflow closed (users have asked for this:
 * the multipath-tcp/mptcp_net-next issues 440 and 497); off by default, as there.
 *
 * @param enabled whether failed subflows are opened again
 * @param firstDelayNanos the wait before the first attempt
 * @param maxDelayNanos the longest wait between attempts
 */
public record SubflowRecreation(boolean enabled, long firstDelayNanos, long maxDelayNanos) {
    public SubflowRecreation {
        if (firstDelayNanos <= 0 || maxDelayNanos < firstDelayNanos) {
            throw new IllegalArgumentException("firstDelayNanos " + firstDelayNanos + ", maxDelayNanos " + maxDelayNanos);
        }
    }

    /** Off (Linux's behaviour): a failed subflow stays closed. */
    public static SubflowRecreation off() {
        return new SubflowRecreation(false, 1_000_000_000L, 60_000_000_000L);
    }

    /** On, from 1 s up to 60 s between attempts. */
    public static SubflowRecreation on() {
        return new SubflowRecreation(true, 1_000_000_000L, 60_000_000_000L);
    }
}
