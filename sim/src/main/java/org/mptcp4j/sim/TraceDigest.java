package org.mptcp4j.sim;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A SHA-256 over every packet observed: link name, virtual time and bytes. Two runs are the same
 * run exactly when their digests are equal, which is how determinism is checked:
 * {@code sim.observeAllLinks(digest)}, run, compare {@link #hex()}.
 */
public final class TraceDigest implements PacketObserver {
    private final MessageDigest sha;
    private final byte[] time = new byte[8];
    /** What each packet is digested under instead of its link's name, or null. */
    private final byte[] label;
    private long packets;

    public TraceDigest() {
        this(null);
    }

    /**
     * A digest that takes {@code label} for every packet's link name: two links named differently
     * in two layouts of one network (a router named otherwise) then compare by what they carried.
     */
    public TraceDigest(String label) {
        this.label = label == null ? null : label.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    @Override
    public void observe(long nowNanos, Link link, Packet packet) {
        sha.update(label != null ? label : link.name().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        for (int i = 0; i < 8; i++) {
            time[i] = (byte) (nowNanos >>> (56 - 8 * i));
        }
        sha.update(time);
        sha.update(packet.data(), 0, packet.length());
        packets++;
    }

    public long packets() {
        return packets;
    }

    /** The digest so far, in hex; observing more afterwards starts a new digest. */
    public String hex() {
        return HexFormat.of().formatHex(sha.digest());
    }
}
