package org.mptcp4j.pcap;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads a classic pcap file (either byte order, micro- or nanosecond timestamps) into packets.
 * Link types RAW (101, also 12/14 on some systems) yield IP packets as they are; Ethernet (1) and
 * Linux cooked captures (113, SLL; 276, SLL2) are stripped to their IP payload, so captures taken
 * with tcpdump on a veth or "any" read the same way.
 */
public final class PcapReader {
    private PcapReader() {}

    /** One captured packet: the IP packet and its timestamp in nanoseconds since the epoch. */
    public record Packet(long timeNanos, byte[] ip) {}

    /** The packets, or empty when {@code file} is not a pcap file this reader understands. */
    public static Optional<List<Packet>> read(byte[] file) {
        if (file.length < 24) {
            return Optional.empty();
        }
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int magic = b.getInt(0);
        boolean nanos;
        if (magic == 0xA1B2C3D4 || magic == 0xA1B23C4D) {
            nanos = magic == 0xA1B23C4D;
        } else {
            b.order(ByteOrder.BIG_ENDIAN);
            magic = b.getInt(0);
            if (magic != 0xA1B2C3D4 && magic != 0xA1B23C4D) {
                return Optional.empty();
            }
            nanos = magic == 0xA1B23C4D;
        }
        int linkType = b.getInt(20) & 0x0FFF_FFFF;
        int skip = switch (linkType) {
            case 101, 12, 14 -> 0;
            case 1 -> 14;
            case 113 -> 16;
            case 276 -> 20;
            default -> -1;
        };
        if (skip < 0) {
            return Optional.empty();
        }
        List<Packet> packets = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= file.length) {
            long sec = Integer.toUnsignedLong(b.getInt(pos));
            long frac = Integer.toUnsignedLong(b.getInt(pos + 4));
            int captured = b.getInt(pos + 8);
            pos += 16;
            if (captured < 0 || pos + captured > file.length) {
                break;
            }
            if (captured >= skip) {
                byte[] ip = new byte[captured - skip];
                System.arraycopy(file, pos + skip, ip, 0, ip.length);
                packets.add(new Packet(sec * 1_000_000_000L + (nanos ? frac : frac * 1000), ip));
            }
            pos += captured;
        }
        return Optional.of(packets);
    }
}
