package org.mptcp4j.api;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import org.mptcp4j.mptcp.MptcpInfo;
import org.mptcp4j.net.os.SocketCalls;

/**
 * The options of one {@link KernelSocketImpl}. The standard ones are the kernel's own
 * ({@code setsockopt} on the MPTCP socket, which Linux passes on to every subflow); those set
 * before the socket exists are kept and applied when it is created. MPTCP's knobs are refused:
 * on Linux they are settings of the network namespace ({@code net.mptcp.*} sysctls, {@code ip
 * mptcp endpoint}, {@code ip mptcp limits}), not of a socket.
 */
final class KernelOptions {
    private final MptcpHost host;
    private volatile int soTimeoutMillis;
    /** Options given before the socket existed, applied by {@link #applyAll}; null: the kernel's default. */
    private Boolean noDelay;
    private Boolean keepAlive;
    private Boolean reuseAddress;
    private Integer sendBuffer;
    private Integer receiveBuffer;
    private Integer lingerSeconds;

    KernelOptions(MptcpHost host) {
        this.host = host;
    }

    int soTimeoutMillis() {
        return soTimeoutMillis;
    }

    /** What the host's configuration asks of every socket (its congestion control), then what was set here. */
    synchronized void applyAll(KernelFd f) throws IOException {
        String cc = host.kernelCongestionControl();
        if (cc != null) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment name = a.allocateFrom(cc);
                f.set(a, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_CONGESTION, name, (int) name.byteSize() - 1);
            }
        }
        if (noDelay != null) {
            f.setInt(SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY, noDelay ? 1 : 0);
        }
        if (keepAlive != null) {
            f.setInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_KEEPALIVE, keepAlive ? 1 : 0);
        }
        if (reuseAddress != null) {
            f.setInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_REUSEADDR, reuseAddress ? 1 : 0);
        }
        if (sendBuffer != null) {
            f.setInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_SNDBUF, sendBuffer);
        }
        if (receiveBuffer != null) {
            f.setInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_RCVBUF, receiveBuffer);
        }
        if (lingerSeconds != null) {
            setLinger(f, lingerSeconds);
        }
    }

    synchronized void setLegacy(KernelFd f, int id, Object value) throws SocketException {
        try {
            switch (id) {
                case SocketOptions.SO_TIMEOUT -> {
                    int t = (Integer) value;
                    if (t < 0) {
                        throw new IllegalArgumentException("timeout can't be negative");
                    }
                    soTimeoutMillis = t;
                }
                case SocketOptions.TCP_NODELAY -> set(f, StandardSocketOptions.TCP_NODELAY, (Boolean) value);
                case SocketOptions.SO_SNDBUF -> set(f, StandardSocketOptions.SO_SNDBUF, (Integer) value);
                case SocketOptions.SO_RCVBUF -> set(f, StandardSocketOptions.SO_RCVBUF, (Integer) value);
                case SocketOptions.SO_KEEPALIVE -> set(f, StandardSocketOptions.SO_KEEPALIVE, (Boolean) value);
                case SocketOptions.SO_REUSEADDR -> set(f, StandardSocketOptions.SO_REUSEADDR, (Boolean) value);
                case SocketOptions.SO_LINGER -> set(f, StandardSocketOptions.SO_LINGER,
                        value instanceof Integer i ? i : -1);
                default -> throw new SocketException("Option " + id + " is not supported by kernel-engine sockets");
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    synchronized Object getLegacy(KernelFd f, int id) throws SocketException {
        try {
            return switch (id) {
                case SocketOptions.SO_TIMEOUT -> soTimeoutMillis;
                case SocketOptions.TCP_NODELAY -> get(f, StandardSocketOptions.TCP_NODELAY);
                case SocketOptions.SO_SNDBUF -> get(f, StandardSocketOptions.SO_SNDBUF);
                case SocketOptions.SO_RCVBUF -> get(f, StandardSocketOptions.SO_RCVBUF);
                case SocketOptions.SO_KEEPALIVE -> get(f, StandardSocketOptions.SO_KEEPALIVE);
                case SocketOptions.SO_REUSEADDR -> get(f, StandardSocketOptions.SO_REUSEADDR);
                case SocketOptions.SO_LINGER -> {
                    int l = get(f, StandardSocketOptions.SO_LINGER);
                    yield l >= 0 ? (Object) l : Boolean.FALSE;
                }
                case SocketOptions.IP_TOS -> 0;
                case SocketOptions.SO_OOBINLINE -> false;
                default -> throw new SocketException("Option " + id + " is not supported by kernel-engine sockets");
            };
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    synchronized <T> void set(KernelFd f, SocketOption<T> name, T value) throws IOException {
        if (name instanceof MptcpSocketOptions.Option<?> o) {
            throw new UnsupportedOperationException(refusal(o));
        }
        if (value == null) {
            throw new IllegalArgumentException("'" + name + "' needs a value");
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            noDelay = (Boolean) value;
            applyIfOpen(f, SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY, noDelay ? 1 : 0);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            keepAlive = (Boolean) value;
            applyIfOpen(f, SocketCalls.SOL_SOCKET, SocketCalls.SO_KEEPALIVE, keepAlive ? 1 : 0);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
            applyIfOpen(f, SocketCalls.SOL_SOCKET, SocketCalls.SO_REUSEADDR, reuseAddress ? 1 : 0);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            sendBuffer = positive((Integer) value, name);
            applyIfOpen(f, SocketCalls.SOL_SOCKET, SocketCalls.SO_SNDBUF, sendBuffer);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            receiveBuffer = positive((Integer) value, name);
            applyIfOpen(f, SocketCalls.SOL_SOCKET, SocketCalls.SO_RCVBUF, receiveBuffer);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            lingerSeconds = Math.min((Integer) value, 65535);
            if (f != null) {
                setLinger(f, lingerSeconds);
            }
        }
    }

    @SuppressWarnings("unchecked")
    synchronized <T> T get(KernelFd f, SocketOption<T> name) throws IOException {
        if (name == MptcpSocketOptions.ENGINE) {
            return (T) Engine.KERNEL;
        }
        if (name == MptcpSocketOptions.MPTCP_CHECKSUM) {
            if (f == null || !f.isMptcp()) {
                return (T) Boolean.FALSE;
            }
            MptcpInfo info = KernelInfo.mptcpInfo(f);
            return (T) Boolean.valueOf(info.checksums());
        }
        if (name instanceof MptcpSocketOptions.Option<?> o) {
            throw new UnsupportedOperationException(refusal(o));
        }
        if (f == null) {
            Object pending = name == StandardSocketOptions.TCP_NODELAY ? noDelay
                    : name == StandardSocketOptions.SO_KEEPALIVE ? keepAlive
                    : name == StandardSocketOptions.SO_REUSEADDR ? reuseAddress
                    : name == StandardSocketOptions.SO_SNDBUF ? sendBuffer
                    : name == StandardSocketOptions.SO_RCVBUF ? receiveBuffer : lingerSeconds;
            if (pending != null) {
                return (T) pending;
            }
            if (name == StandardSocketOptions.SO_LINGER) {
                return (T) Integer.valueOf(-1); // a new socket does not linger
            }
            if (name == StandardSocketOptions.SO_SNDBUF || name == StandardSocketOptions.SO_RCVBUF) {
                throw new SocketException("'" + name + "' is the kernel's (net.ipv4.tcp_wmem/tcp_rmem) until the "
                        + "socket is bound or connected");
            }
            return (T) Boolean.FALSE; // TCP_NODELAY, SO_KEEPALIVE, SO_REUSEADDR: off in a new socket
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return (T) Boolean.valueOf(f.getInt(SocketCalls.IPPROTO_TCP, SocketCalls.TCP_NODELAY) != 0);
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return (T) Boolean.valueOf(f.getInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_KEEPALIVE) != 0);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            return (T) Boolean.valueOf(f.getInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_REUSEADDR) != 0);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return (T) Integer.valueOf(f.getInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_SNDBUF));
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return (T) Integer.valueOf(f.getInt(SocketCalls.SOL_SOCKET, SocketCalls.SO_RCVBUF));
        }
        try (Arena a = Arena.ofConfined()) { // SO_LINGER: struct linger { int l_onoff; int l_linger; }
            MemorySegment l = a.allocate(8, 4);
            f.get(a, SocketCalls.SOL_SOCKET, SocketCalls.SO_LINGER, l);
            return (T) Integer.valueOf(l.get(ValueLayout.JAVA_INT, 0) != 0 ? l.get(ValueLayout.JAVA_INT, 4) : -1);
        }
    }

    /** The refusal of an MPTCP knob on a kernel socket: where Linux keeps it, and the engine that has it per host. */
    static String refusal(MptcpSocketOptions.Option<?> o) {
        String where = switch (o.name()) {
            case "MPTCP_SCHEDULER" -> "the net.mptcp.scheduler sysctl of the network namespace";
            case "MPTCP_LIMITS" -> "'ip mptcp limits' of the network namespace";
            case "MPTCP_ENDPOINTS" -> "'ip mptcp endpoint' of the network namespace";
            case "MPTCP_ENABLED" -> "the net.mptcp.enabled sysctl, or MptcpHost.kernel(config) with mptcpEnabled false";
            case "MPTCP_CHECKSUM" -> "the net.mptcp.checksum_enabled sysctl of the network namespace";
            default -> null;
        };
        if (where == null) {
            return "'" + o.name() + "' is read-only";
        }
        return "'" + o.name() + "' cannot be set on a kernel-engine socket: Linux keeps it in " + where
                + "; the userspace engine (MptcpHost.overUdp/overTun) sets it in its StackConfig";
    }

    private static void applyIfOpen(KernelFd f, int level, int name, int value) throws IOException {
        if (f != null) {
            f.setInt(level, name, value);
        }
    }

    private static void setLinger(KernelFd f, int seconds) throws IOException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment l = a.allocate(8, 4);
            l.set(ValueLayout.JAVA_INT, 0, seconds >= 0 ? 1 : 0);
            l.set(ValueLayout.JAVA_INT, 4, Math.max(0, seconds));
            f.set(a, SocketCalls.SOL_SOCKET, SocketCalls.SO_LINGER, l, 8);
        }
    }

    private static int positive(int v, SocketOption<?> name) {
        if (v <= 0) {
            throw new IllegalArgumentException("Invalid value for " + name + ": " + v);
        }
        return v;
    }
}
