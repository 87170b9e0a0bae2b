package org.mptcp4j.net.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import org.mptcp4j.net.driver.PacketLink;
import org.mptcp4j.net.os.FdPoller;
import org.mptcp4j.net.os.Wakeup;

/**
 * A {@link TunDevice} as a {@link PacketLink}. Receive and transmit buffers are two native segments
 * the size of the largest IP packet, allocated once; a packet the stack builds in
 * {@link #transmitBuffer()} is written to the kernel from where it lies, so the per-packet path
 * allocates nothing.
 */
public final class TunLink implements PacketLink {
    private static final int MAX_PACKET = 65_536;

    private final TunDevice device;
    private final boolean ownsDevice;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment rxSegment = arena.allocate(TcpGsoBatch.VNET_HDR_LEN + MAX_PACKET, 64);
    private final ByteBuffer rxView;
    private final ByteBuffer rxHeader = rxSegment.asByteBuffer();
    /** The virtio header's room, then the packet the stack builds: a large segment goes out with its header in place. */
    private final MemorySegment txWithHeader = arena.allocate(TcpGsoBatch.VNET_HDR_LEN + MAX_PACKET, 64);
    private final MemorySegment txSegment = txWithHeader.asSlice(TcpGsoBatch.VNET_HDR_LEN);
    private final ByteBuffer txView = txSegment.asByteBuffer();
    private final ByteBuffer txHeader = txWithHeader.asByteBuffer();
    private final boolean vnet;
    /** With a virtio header: the packet being batched (GSO), written by {@link #flush()}. */
    private final MemorySegment batchSegment;
    private final TcpGsoBatch batch;
    private final Wakeup wakeup;
    private final FdPoller poller;
    private long dropped;
    private boolean receiveChecksumOffload = true;
    /** The checksum of the packet {@link #receive()} last returned is vouched for by the kernel. */
    private boolean receivedValidated;
    // Written by the reactor thread only; volatile so that other threads may read them.
    private volatile long superPackets;
    private volatile long superPacketBytes;

    /**
     * @param ownsDevice whether {@link #close()} closes the device too
     */
    public TunLink(TunDevice device, boolean ownsDevice) throws IOException {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.vnet = device.hasVnetHeader();
        this.rxView = rxSegment.asSlice(vnet ? TcpGsoBatch.VNET_HDR_LEN : 0).asByteBuffer();
        this.batchSegment = vnet ? arena.allocate(TcpGsoBatch.VNET_HDR_LEN + MAX_PACKET, 64) : null;
        this.batch = vnet ? new TcpGsoBatch(batchSegment) : null;
        this.wakeup = new Wakeup();
        this.poller = new FdPoller(device.fd(), wakeup);
    }

    public TunDevice device() {
        return device;
    }

    @Override
    public boolean receivedChecksumValidated() {
        return receivedValidated;
    }

    @Override
    public void setReceiveChecksumOffload(boolean on) {
        receiveChecksumOffload = on;
    }

    @Override
    public ByteBuffer receive() throws IOException {
        receivedValidated = false;
        int n = device.read(rxSegment);
        if (n == 0) {
            return null;
        }
        if (!vnet) {
            return rxView.clear().limit(n);
        }
        if (n <= TcpGsoBatch.VNET_HDR_LEN) {
            dropped++;
            return null;
        }
        ByteBuffer p = rxView.clear().limit(n - TcpGsoBatch.VNET_HDR_LEN);
        int flags = rxHeader.get(0);
        // NEEDS_CSUM: the kernel built the packet and left the sum to "hardware"; DATA_VALID: it
        // verified it (virtio 1.2 section 5.1.6.4). Either way it crossed no wire since.
        receivedValidated = receiveChecksumOffload
                && (flags & (VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID)) != 0;
        if (!receivedValidated && (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) != 0) {
            completeChecksum(p);
        }
        if ((rxHeader.get(1) & ~VIRTIO_NET_HDR_GSO_ECN) != VIRTIO_NET_HDR_GSO_NONE) {
            // A TSO/GRO super-segment (only with TUNSETOFFLOAD): the IP header already gives its full
            // length, and a TCP receiver takes any in-window segment whatever its size (RFC 9293
            // 3.10.7.4), so it goes to the stack whole instead of being cut back into gso_size pieces.
            superPackets++;
            superPacketBytes += p.limit();
        }
        return p;
    }

    private static final int VIRTIO_NET_HDR_F_NEEDS_CSUM = TcpGsoBatch.VIRTIO_NET_HDR_F_NEEDS_CSUM;
    private static final int VIRTIO_NET_HDR_F_DATA_VALID = 2;
    private static final int VIRTIO_NET_HDR_GSO_NONE = 0;
    private static final int VIRTIO_NET_HDR_GSO_ECN = 0x80;

    /**
     * The kernel left the transport checksum for the "hardware": the field holds the pseudo-header
     * sum, so the one's complement sum from {@code csum_start} to the end, complemented, is the
     * checksum (virtio 1.2, section 5.1.6.2).
     */
    private void completeChecksum(ByteBuffer p) {
        int start = (rxHeader.get(6) & 0xff) | (rxHeader.get(7) & 0xff) << 8;
        int offset = (rxHeader.get(8) & 0xff) | (rxHeader.get(9) & 0xff) << 8;
        if (start + offset + 2 > p.limit()) {
            return;
        }
        int sum = org.mptcp4j.wire.Checksums.sum(p, start, p.limit() - start, 0);
        p.putShort(start + offset, (short) org.mptcp4j.wire.Checksums.finish(sum));
    }

    /** Packets the kernel handed us as one TSO/GRO super-segment ({@code gso_type} set; needs receive offload). */
    public long superPacketsReceived() {
        return superPackets;
    }

    /** IP bytes that arrived inside {@link #superPacketsReceived() super-segments}. */
    public long superPacketBytesReceived() {
        return superPacketBytes;
    }

    /** Segments that left inside a GSO packet instead of on their own. */
    public long coalescedSegments() {
        return vnet ? batch.coalesced() : 0;
    }

    @Override
    public ByteBuffer transmitBuffer() {
        return txView.clear();
    }

    /** With a virtio header the kernel segments for us: packets up to 64 KB, as its own TCP hands a TSO device. */
    @Override
    public int segmentationOffloadBytes() {
        return vnet ? MAX_PACKET - 1 : 0;
    }

    /**
     * A large TCP segment goes out in one {@code write(2)} behind a virtio header asking for TCP
     * segmentation and checksum completion (virtio 1.2 section 5.1.6.2), which is how Linux's own TCP
     * hands a TSO device its segments; whatever the batch held goes first, to keep the order.
     */
    @Override
    public boolean send(ByteBuffer packet, int gsoSize) throws IOException {
        if (gsoSize == 0 || !vnet) {
            return gsoSize == 0 ? send(packet) : PacketLink.super.send(packet, gsoSize);
        }
        flush();
        int length = packet.remaining();
        if (packet != txView || packet.position() != 0) {
            MemorySegment.copy(MemorySegment.ofBuffer(packet), 0, txSegment, 0, length);
        }
        int v = TcpGsoBatch.VNET_HDR_LEN;
        boolean v4 = (txHeader.get(v) & 0xf0) == 0x40;
        int ipLength = v4 ? (txHeader.get(v) & 0x0f) * 4 : 40;
        int tcpHeader = ((txHeader.get(v + ipLength + 12) & 0xf0) >>> 4) * 4;
        TcpGsoBatch.putTcpGsoHeader(txHeader, v4 ? TcpGsoBatch.VIRTIO_NET_HDR_GSO_TCPV4 : TcpGsoBatch.VIRTIO_NET_HDR_GSO_TCPV6,
                ipLength, tcpHeader, gsoSize);
        boolean written = device.write(txWithHeader, v + length);
        if (!written) {
            dropped++;
        }
        return written;
    }

    @Override
    public boolean send(ByteBuffer packet) throws IOException {
        if (vnet) {
            if (!batch.tryAppend(packet)) {
                flush();
                batch.start(packet);
            }
            return true;
        }
        boolean written;
        if (packet == txView && packet.position() == 0) {
            written = device.write(txSegment, packet.limit());
        } else {
            int length = packet.remaining();
            MemorySegment.copy(MemorySegment.ofBuffer(packet), 0, txSegment, 0, length);
            written = device.write(txSegment, length);
        }
        if (!written) {
            dropped++;
        }
        return written;
    }

    @Override
    public void flush() throws IOException {
        if (vnet && !batch.isEmpty()) {
            if (!device.write(batchSegment, batch.finish())) {
                dropped++;
            }
        }
    }

    @Override
    public void await(long timeoutNanos) throws IOException {
        poller.await(timeoutNanos);
    }

    @Override
    public void wakeup() {
        wakeup.signal();
    }

    @Override
    public long dropped() {
        return dropped;
    }

    @Override
    public void close() {
        poller.close();
        wakeup.close();
        if (ownsDevice) {
            device.close();
        }
        arena.close();
    }
}
