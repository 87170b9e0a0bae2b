package org.mptcp4j.net.tun;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import org.mptcp4j.net.os.Libc;
import org.mptcp4j.net.os.NativeIoException;

/**
 * A Linux TUN device ({@code /dev/net/tun}, Documentation/networking/tuntap.rst) opened through FFM:
 * {@code TUNSETIFF} with {@code IFF_TUN | IFF_NO_PI}, so every read and write is exactly one raw
 * IPv4 or IPv6 packet without a packet-information header.
 *
 * <p>The device lives in the network namespace of the thread that opened it (see
 * {@link org.mptcp4j.net.os.NetNamespace}); its MTU and up state are set through an {@code AF_INET}
 * control socket opened at the same time, so they also work later from any thread. The descriptor
 * is non-blocking: a reactor waits for it with {@link org.mptcp4j.net.os.FdPoller}.
 *
 * <p>Reads and writes go straight between the caller's {@link MemorySegment} and the kernel; the
 * device allocates nothing per packet. One thread reads and one thread writes (they may differ).
 */
public final class TunDevice implements AutoCloseable {
    /** {@code _IOW('T', 202, int)}. */
    private static final long TUNSETIFF = 0x4004_54caL;
    /** {@code _IOW('T', 208, unsigned int)}; the argument is the flag word itself, not a pointer. */
    private static final long TUNSETOFFLOAD = 0x4004_54d0L;
    /** The "hardware" may be handed packets with a partial transport checksum (linux/if_tun.h). */
    private static final int TUN_F_CSUM = 0x01;
    private static final int TUN_F_TSO4 = 0x02;
    private static final int TUN_F_TSO6 = 0x04;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCSIFMTU = 0x8922;

    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final short IFF_UP = 0x1;

    /** {@code struct ifreq}: 16 bytes of name, then a 24-byte union (flags: short, mtu: int). */
    private static final int IFREQ_SIZE = 40;
    private static final int IFNAMSIZ = 16;

    private final Arena arena;
    private final int fd;
    private final int controlFd;
    private final String name;
    private final boolean vnetHeader;
    private final boolean receiveOffload;
    private final MemorySegment readErrno;
    private final MemorySegment writeErrno;
    private final MemorySegment controlErrno;
    private final MemorySegment ifreq;
    private volatile boolean closed;

    private TunDevice(Arena arena, int fd, int controlFd, String name, boolean vnetHeader, boolean receiveOffload,
            MemorySegment ifreq) {
        this.arena = arena;
        this.vnetHeader = vnetHeader;
        this.receiveOffload = receiveOffload;
        this.fd = fd;
        this.controlFd = controlFd;
        this.name = name;
        this.ifreq = ifreq;
        this.readErrno = Libc.newErrnoSegment(arena);
        this.writeErrno = Libc.newErrnoSegment(arena);
        this.controlErrno = Libc.newErrnoSegment(arena);
    }

    /**
     * Creates (or attaches to) the TUN device {@code requestedName} in the calling thread's network
     * namespace; a name with {@code %d} lets the kernel number it ({@code "tun%d"}).
     */
    public static TunDevice open(String requestedName) throws IOException {
        return open(requestedName, false);
    }

    /**
     * Like {@link #open(String)}; with {@code vnetHeader} the device is opened with
     * {@code IFF_VNET_HDR}: every packet read or written is preceded by a 10-byte
     * {@code struct virtio_net_hdr}, which lets us hand the kernel GSO packets of up to 64 KB.
     */
    public static TunDevice open(String requestedName, boolean vnetHeader) throws IOException {
        return open(requestedName, vnetHeader, false);
    }

    /**
     * Like {@link #open(String, boolean)}; with {@code receiveOffload} (which needs
     * {@code vnetHeader}) the device also declares {@code TUNSETOFFLOAD} with
     * {@code TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6}: the kernel then hands us TCP segments of up to
     * 64 KB as it built or coalesced them (a local sender's TSO burst, a veth's GRO packet) with
     * {@code gso_type}/{@code gso_size} set and possibly a partial checksum
     * ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}), instead of cutting them into MTU-sized packets first.
     */
    public static TunDevice open(String requestedName, boolean vnetHeader, boolean receiveOffload) throws IOException {
        if (receiveOffload && !vnetHeader) {
            throw new IllegalArgumentException("receive offload needs the virtio header (IFF_VNET_HDR)");
        }
        byte[] nameBytes = requestedName.getBytes(StandardCharsets.US_ASCII);
        if (nameBytes.length == 0 || nameBytes.length >= IFNAMSIZ) {
            throw new IllegalArgumentException("interface name must have 1.." + (IFNAMSIZ - 1) + " characters: " + requestedName);
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment errno = Libc.newErrnoSegment(arena);
            int fd = Libc.open(errno, arena.allocateFrom("/dev/net/tun"), Libc.O_RDWR | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
            if (fd < 0) {
                throw new NativeIoException("open /dev/net/tun", Libc.errno(errno));
            }
            MemorySegment ifreq = arena.allocate(IFREQ_SIZE, 8);
            MemorySegment.copy(nameBytes, 0, ifreq, ValueLayout.JAVA_BYTE, 0, nameBytes.length);
            ifreq.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (IFF_TUN | IFF_NO_PI | (vnetHeader ? IFF_VNET_HDR : 0)));
            if (Libc.ioctl(errno, fd, TUNSETIFF, ifreq) < 0) {
                int e = Libc.errno(errno);
                Libc.close(errno, fd);
                throw new NativeIoException("ioctl TUNSETIFF " + requestedName, e);
            }
            // Always set (0 clears): the offload state outlives us on a persistent device such as the
            // testbed's. The flag word travels in the pointer argument's register: tun reads arg as a value.
            long offload = receiveOffload ? TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 : 0;
            if (Libc.ioctl(errno, fd, TUNSETOFFLOAD, MemorySegment.ofAddress(offload)) < 0) {
                int e = Libc.errno(errno);
                Libc.close(errno, fd);
                throw new NativeIoException("ioctl TUNSETOFFLOAD " + requestedName, e);
            }
            String actualName = ifreq.getString(0, StandardCharsets.US_ASCII);
            int controlFd = Libc.socket(errno, Libc.AF_INET, Libc.SOCK_DGRAM, 0);
            if (controlFd < 0) {
                int e = Libc.errno(errno);
                Libc.close(errno, fd);
                throw new NativeIoException("socket AF_INET", e);
            }
            return new TunDevice(arena, fd, controlFd, actualName, vnetHeader, receiveOffload, ifreq);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** The interface name the kernel gave the device. */
    public String name() {
        return name;
    }

    /** Whether every packet carries a {@code virtio_net_hdr} ({@code IFF_VNET_HDR}). */
    public boolean hasVnetHeader() {
        return vnetHeader;
    }

    /** Whether the kernel may hand us TCP segments larger than the MTU ({@code TUNSETOFFLOAD}). */
    public boolean hasReceiveOffload() {
        return receiveOffload;
    }

    /** The file descriptor, for {@link org.mptcp4j.net.os.FdPoller}. */
    public int fd() {
        return fd;
    }

    /** Sets the link MTU ({@code SIOCSIFMTU}). */
    public synchronized void setMtu(int mtu) throws IOException {
        resetIfreq();
        ifreq.set(ValueLayout.JAVA_INT, IFNAMSIZ, mtu);
        control(SIOCSIFMTU, "SIOCSIFMTU");
    }

    public synchronized int mtu() throws IOException {
        resetIfreq();
        control(SIOCGIFMTU, "SIOCGIFMTU");
        return ifreq.get(ValueLayout.JAVA_INT, IFNAMSIZ);
    }

    /** Brings the link up ({@code SIOCSIFFLAGS} with {@code IFF_UP} added to the current flags). */
    public synchronized void setUp() throws IOException {
        resetIfreq();
        control(SIOCGIFFLAGS, "SIOCGIFFLAGS");
        short flags = ifreq.get(ValueLayout.JAVA_SHORT, IFNAMSIZ);
        ifreq.set(ValueLayout.JAVA_SHORT, IFNAMSIZ, (short) (flags | IFF_UP));
        control(SIOCSIFFLAGS, "SIOCSIFFLAGS");
    }

    /**
     * Reads one packet into {@code dst} (at offset 0). Returns its length, or 0 when no packet waits.
     * A packet longer than {@code dst} is truncated by the kernel; size {@code dst} to the MTU.
     */
    public int read(MemorySegment dst) throws IOException {
        long n = Libc.read(readErrno, fd, dst, dst.byteSize());
        if (n < 0) {
            int e = Libc.errno(readErrno);
            if (e == Libc.EAGAIN || e == Libc.EINTR) {
                return 0;
            }
            throw new NativeIoException("read " + name, e);
        }
        return (int) n;
    }

    /**
     * Writes one packet, the first {@code length} bytes of {@code src}. Returns false when the device
     * queue is full (the packet is dropped, as a full NIC queue would).
     */
    public boolean write(MemorySegment src, long length) throws IOException {
        long n = Libc.write(writeErrno, fd, src, length);
        if (n < 0) {
            int e = Libc.errno(writeErrno);
            if (e == Libc.EAGAIN || e == Libc.EINTR) {
                return false;
            }
            throw new NativeIoException("write " + name, e);
        }
        return true;
    }

    private void resetIfreq() {
        ifreq.asSlice(IFNAMSIZ).fill((byte) 0);
    }

    private void control(long request, String what) throws IOException {
        if (Libc.ioctl(controlErrno, controlFd, request, ifreq) < 0) {
            throw new NativeIoException("ioctl " + what + " " + name, Libc.errno(controlErrno));
        }
    }

    /** Closes the descriptor; the kernel then deletes the (non-persistent) interface. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        Libc.close(controlErrno, fd);
        Libc.close(controlErrno, controlFd);
        arena.close();
    }

    @Override
    public String toString() {
        return "TunDevice[" + name + ", fd " + fd + "]";
    }
}
