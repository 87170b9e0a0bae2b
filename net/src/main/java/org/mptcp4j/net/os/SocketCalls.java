package org.mptcp4j.net.os;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The BSD socket calls of the kernel engine ({@code org.mptcp4j.api}'s sockets on the kernel's
 * MPTCP), bound through FFM like {@link Libc}, and the {@code sockaddr_in}/{@code sockaddr_in6}
 * encoding they take. Every call captures errno into the caller's segment ({@link Libc#newErrnoSegment}).
 *
 * <p>Constants are the Linux values shared by x86-64 and aarch64; the MPTCP ones are from the
 * UAPI header {@code linux/mptcp.h} and {@code linux/in.h}.
 */
public final class SocketCalls {
    private SocketCalls() {}

    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int IPPROTO_TCP = 6;
    /** {@code linux/in.h}: the protocol number of an MPTCP socket (since Linux 5.6). */
    public static final int IPPROTO_MPTCP = 262;
    public static final int SOL_SOCKET = 1;
    /** {@code linux/socket.h}: the level of MPTCP's own socket options. */
    public static final int SOL_MPTCP = 284;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_LINGER = 13;
    public static final int SO_PROTOCOL = 38;
    public static final int TCP_NODELAY = 1;
    public static final int TCP_INFO = 11;
    public static final int TCP_CONGESTION = 13;
    /** {@code linux/mptcp.h}: {@code struct mptcp_info}. */
    public static final int MPTCP_INFO = 1;
    /** {@code linux/mptcp.h}: {@code struct mptcp_subflow_data} then one {@code struct tcp_info} per subflow. */
    public static final int MPTCP_TCPINFO = 2;
    /** {@code linux/mptcp.h}: {@code struct mptcp_subflow_data} then one {@code struct mptcp_subflow_addrs} per subflow. */
    public static final int MPTCP_SUBFLOW_ADDRS = 3;
    public static final int SHUT_RD = 0;
    public static final int SHUT_WR = 1;
    public static final int SHUT_RDWR = 2;
    public static final int F_GETFL = 3;
    public static final int F_SETFL = 4;

    public static final int EPERM = 1;
    public static final int EPIPE = 32;
    public static final int EINVAL = 22;
    public static final int EACCES = 13;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOPROTOOPT = 92;
    public static final int EPROTONOSUPPORT = 93;
    public static final int EAFNOSUPPORT = 97;
    public static final int EADDRINUSE = 98;
    public static final int EADDRNOTAVAIL = 99;
    public static final int ENETUNREACH = 101;
    public static final int ECONNABORTED = 103;
    public static final int ECONNRESET = 104;
    public static final int ENOTCONN = 107;
    public static final int ETIMEDOUT = 110;
    public static final int ECONNREFUSED = 111;
    public static final int EHOSTUNREACH = 113;
    public static final int EINPROGRESS = 115;

    /** {@code sizeof(struct sockaddr_in6)}, the larger of the two addresses. */
    public static final int SOCKADDR_BYTES = 28;

    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout PTR = ValueLayout.ADDRESS;
    private static final ValueLayout.OfShort NET_SHORT =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final MethodHandle BIND = Libc.bind("bind", FunctionDescriptor.of(INT, INT, PTR, INT), -1);
    private static final MethodHandle CONNECT = Libc.bind("connect", FunctionDescriptor.of(INT, INT, PTR, INT), -1);
    private static final MethodHandle LISTEN = Libc.bind("listen", FunctionDescriptor.of(INT, INT, INT), -1);
    private static final MethodHandle ACCEPT4 =
            Libc.bind("accept4", FunctionDescriptor.of(INT, INT, PTR, PTR, INT), -1);
    private static final MethodHandle SHUTDOWN = Libc.bind("shutdown", FunctionDescriptor.of(INT, INT, INT), -1);
    private static final MethodHandle GETSOCKOPT =
            Libc.bind("getsockopt", FunctionDescriptor.of(INT, INT, INT, INT, PTR, PTR), -1);
    private static final MethodHandle SETSOCKOPT =
            Libc.bind("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, PTR, INT), -1);
    private static final MethodHandle GETSOCKNAME =
            Libc.bind("getsockname", FunctionDescriptor.of(INT, INT, PTR, PTR), -1);
    private static final MethodHandle GETPEERNAME =
            Libc.bind("getpeername", FunctionDescriptor.of(INT, INT, PTR, PTR), -1);
    private static final MethodHandle FCNTL = Libc.bind("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), 2);
    private static final MethodHandle RECV = Libc.bind("recv", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT), -1);
    private static final MethodHandle SEND = Libc.bind("send", FunctionDescriptor.of(LONG, INT, PTR, LONG, INT), -1);

    /** {@code MSG_NOSIGNAL}: a write to a connection the peer closed returns EPIPE instead of raising SIGPIPE. */
    public static final int MSG_NOSIGNAL = 0x4000;

    public static int bind(MemorySegment errno, int fd, MemorySegment addr, int len) {
        try {
            return (int) BIND.invokeExact(errno, fd, addr, len);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int connect(MemorySegment errno, int fd, MemorySegment addr, int len) {
        try {
            return (int) CONNECT.invokeExact(errno, fd, addr, len);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int listen(MemorySegment errno, int fd, int backlog) {
        try {
            return (int) LISTEN.invokeExact(errno, fd, backlog);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    /** {@code accept4(fd, addr, &len, flags)}; {@code lenInOut} holds an int. */
    public static int accept4(MemorySegment errno, int fd, MemorySegment addr, MemorySegment lenInOut, int flags) {
        try {
            return (int) ACCEPT4.invokeExact(errno, fd, addr, lenInOut, flags);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int shutdown(MemorySegment errno, int fd, int how) {
        try {
            return (int) SHUTDOWN.invokeExact(errno, fd, how);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    /** {@code getsockopt(fd, level, name, value, &len)}; {@code lenInOut} holds an int. */
    public static int getsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value,
            MemorySegment lenInOut) {
        try {
            return (int) GETSOCKOPT.invokeExact(errno, fd, level, name, value, lenInOut);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int setsockopt(MemorySegment errno, int fd, int level, int name, MemorySegment value, int len) {
        try {
            return (int) SETSOCKOPT.invokeExact(errno, fd, level, name, value, len);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int getsockname(MemorySegment errno, int fd, MemorySegment addr, MemorySegment lenInOut) {
        try {
            return (int) GETSOCKNAME.invokeExact(errno, fd, addr, lenInOut);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int getpeername(MemorySegment errno, int fd, MemorySegment addr, MemorySegment lenInOut) {
        try {
            return (int) GETPEERNAME.invokeExact(errno, fd, addr, lenInOut);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static int fcntl(MemorySegment errno, int fd, int cmd, int arg) {
        try {
            return (int) FCNTL.invokeExact(errno, fd, cmd, arg);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static long recv(MemorySegment errno, int fd, MemorySegment buf, long count, int flags) {
        try {
            return (long) RECV.invokeExact(errno, fd, buf, count, flags);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    public static long send(MemorySegment errno, int fd, MemorySegment buf, long count, int flags) {
        try {
            return (long) SEND.invokeExact(errno, fd, buf, count, flags);
        } catch (Throwable t) {
            throw Libc.linkage(t);
        }
    }

    /** The address family of {@code a}: {@link Libc#AF_INET} or {@link #AF_INET6}. */
    public static int family(InetAddress a) {
        return a instanceof Inet6Address ? AF_INET6 : Libc.AF_INET;
    }

    /**
     * Writes {@code a} as a {@code sockaddr_in} (16 bytes) or {@code sockaddr_in6} (28 bytes) into
     * a zeroed segment from {@code arena}; the family field is host order, the port and address network order.
     */
    public static MemorySegment sockaddr(Arena arena, InetSocketAddress a) {
        InetAddress ip = a.getAddress();
        MemorySegment s = arena.allocate(SOCKADDR_BYTES, 8);
        s.set(ValueLayout.JAVA_SHORT, 0, (short) family(ip));
        s.set(NET_SHORT, 2, (short) a.getPort());
        byte[] raw = ip.getAddress();
        if (ip instanceof Inet4Address) {
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 4, 4);
        } else {
            MemorySegment.copy(raw, 0, s, ValueLayout.JAVA_BYTE, 8, 16);
            s.set(ValueLayout.JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
        }
        return s;
    }

    /** The length {@link #sockaddr} encoded for {@code a}. */
    public static int sockaddrLength(InetSocketAddress a) {
        return a.getAddress() instanceof Inet4Address ? 16 : SOCKADDR_BYTES;
    }

    /**
     * Reads a {@code sockaddr_in}/{@code sockaddr_in6} at {@code offset}; null for any other family
     * (AF_UNSPEC: an unconnected socket).
     */
    public static InetSocketAddress fromSockaddr(MemorySegment s, long offset) {
        int family = Short.toUnsignedInt(s.get(ValueLayout.JAVA_SHORT_UNALIGNED, offset));
        int port = Short.toUnsignedInt(s.get(NET_SHORT, offset + 2));
        try {
            if (family == Libc.AF_INET) {
                byte[] raw = new byte[4];
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset + 4, raw, 0, 4);
                return new InetSocketAddress(InetAddress.getByAddress(raw), port);
            }
            if (family == AF_INET6) {
                byte[] raw = new byte[16];
                MemorySegment.copy(s, ValueLayout.JAVA_BYTE, offset + 8, raw, 0, 16);
                int scope = s.get(ValueLayout.JAVA_INT_UNALIGNED, offset + 24);
                InetAddress ip = scope == 0 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, scope);
                return new InetSocketAddress(ip, port);
            }
        } catch (UnknownHostException impossible) {
            // getByAddress throws only for a length other than 4 or 16
            throw new AssertionError(impossible);
        }
        return null;
    }
}
