package org.mptcp4j.sim;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import org.mptcp4j.pcap.PcapWriter;

/**
 * Writes the packets passing one or more links to a pcap stream (link type RAW), with the virtual
 * time as timestamp (time 0 is the epoch), so that tshark/Wireshark dissect a simulated run like a
 * real capture. {@link Point#RECEIVE} sees what the far end gets (after loss, corruption,
 * duplication and reordering); {@link Point#TRANSMIT} what the sender put on the wire.
 *
 * <pre>{@code
 * try (var out = Files.newOutputStream(path); var tap = PcapTap.open(out)) {
 *     tap.watch(link, PcapTap.Point.RECEIVE);
 *     sim.run();
 * }
 * }</pre>
 *
 * A failing stream is a problem of the machine running the simulation, not of the simulated
 * network: it surfaces as {@link UncheckedIOException} from the run.
 */
public final class PcapTap implements PacketObserver, Closeable {
    public enum Point { TRANSMIT, RECEIVE }

    private final PcapWriter writer;

    private PcapTap(PcapWriter writer) {
        this.writer = writer;
    }

    /** Writes the pcap file header to {@code out}; closing the tap closes {@code out}. */
    public static PcapTap open(OutputStream out) {
        try {
            return new PcapTap(new PcapWriter(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Captures the packets of {@code link} at {@code point}. */
    public PcapTap watch(Link link, Point point) {
        if (point == Point.RECEIVE) {
            link.observeReceive(this);
        } else {
            link.observeTransmit(this);
        }
        return this;
    }

    @Override
    public void observe(long nowNanos, Link link, Packet packet) {
        try {
            writer.write(nowNanos, packet.data, 0, packet.length);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public long packetsWritten() {
        return writer.packetsWritten();
    }

    public void flush() {
        try {
            writer.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            writer.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
