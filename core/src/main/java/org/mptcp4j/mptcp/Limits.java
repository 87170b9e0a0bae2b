package org.mptcp4j.mptcp;

/**
 * The path manager's limits, as {@code ip mptcp limits set subflows N add_addr_accepted M} sets
 * Linux's: additional subflows per connection (beyond the initial one), and ADD_ADDR
 * announcements from the peer that a connection acts on. Linux defaults are 2 and 0, and neither
 * can exceed 8 ({@code MPTCP_PM_ADDR_MAX}).
 */
public record Limits(int subflows, int addAddrAccepted) {
    public static final int MAX = 8;
    public static final Limits DEFAULT = new Limits(2, 0);

    public Limits {
        if (subflows < 0 || subflows > MAX || addAddrAccepted < 0 || addAddrAccepted > MAX) {
            throw new IllegalArgumentException("limits " + subflows + "/" + addAddrAccepted + " (0 to " + MAX + ")");
        }
    }
}
