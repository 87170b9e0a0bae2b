package org.mptcp4j.stack;

import java.net.InetAddress;

/**
 * One IP packet {@link Stack#pollTransmit} wrote: its length and its addresses (for routing), and
 * for a large TCP segment under segmentation offload the payload size of the pieces the device
 * must cut it into ({@code gso_size}; its TCP checksum is then partial, for the device to
 * complete), else 0. Under {@link Stack#setChecksumOffload} every packet's TCP checksum is partial.
 * Under {@link Stack#setSmallQueues} a packet carrying data has a {@code charge}: the driver hands
 * it back to {@link Stack#transmitted} with each piece's payload once that piece has left the
 * device (or was dropped before it); else null.
 */
public record Transmit(int length, InetAddress source, InetAddress destination, int gsoSize, DeviceCharge charge) {
    /** A packet that goes out as it is. */
    public Transmit(int length, InetAddress source, InetAddress destination) {
        this(length, source, destination, 0, null);
    }

    /** A packet with no charge. */
    public Transmit(int length, InetAddress source, InetAddress destination, int gsoSize) {
        this(length, source, destination, gsoSize, null);
    }
}
