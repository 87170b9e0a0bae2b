package org.mptcp4j.sim;

/** The two directions of a cable between {@code a} and {@code b}. */
public record DuplexLink(Link aToB, Link bToA) {
    /** The direction that leaves {@code node}. */
    public Link from(Node node) {
        if (aToB.from() == node) {
            return aToB;
        }
        if (bToA.from() == node) {
            return bToA;
        }
        throw new IllegalArgumentException(node + " is not an end of " + this);
    }

    /** Takes both directions down at {@code atNanos}. */
    public DuplexLink downAt(long atNanos) {
        aToB.downAt(atNanos);
        bToA.downAt(atNanos);
        return this;
    }

    /** Brings both directions up at {@code atNanos}. */
    public DuplexLink upAt(long atNanos) {
        aToB.upAt(atNanos);
        bToA.upAt(atNanos);
        return this;
    }
}
