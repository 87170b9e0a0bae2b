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
    private final MemorySegment rxSegment = arena.allocate(MAX_PACKET, 64);
    private final ByteBuffer rxView = rxSegment.asByteBuffer();
    private final MemorySegment txSegment = arena.allocate(MAX_PACKET, 64);
    private final ByteBuffer txView = txSegment.asByteBuffer();
    private final Wakeup wakeup;
    private final FdPoller poller;
    private long dropped;

    /**
     * @param ownsDevice whether {@link #close()} closes the device too
     */
    public TunLink(TunDevice device, boolean ownsDevice) throws IOException {
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.wakeup = new Wakeup();
        this.poller = new FdPoller(device.fd(), wakeup);
    }

    public TunDevice device() {
        return device;
    }

    @Override
    public ByteBuffer receive() throws IOException {
        int n = device.read(rxSegment);
        if (n == 0) {
            return null;
        }
        return rxView.clear().limit(n);
    }

    @Override
    public ByteBuffer transmitBuffer() {
        return txView.clear();
    }

    @Override
    public boolean send(ByteBuffer packet) throws IOException {
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
