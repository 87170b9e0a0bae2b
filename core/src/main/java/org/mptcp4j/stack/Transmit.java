package org.mptcp4j.stack;

import java.net.InetAddress;

/** One IP packet {@link Stack#pollTransmit} wrote: its length and its addresses (for routing). */
public record Transmit(int length, InetAddress source, InetAddress destination) {}
