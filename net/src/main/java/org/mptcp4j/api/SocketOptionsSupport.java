package org.mptcp4j.api;

import java.io.IOException;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketOption;
import java.net.SocketOptions;
import java.net.StandardSocketOptions;
import java.util.Set;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.stack.StackConfig;

/**
 * The options of one {@link MptcpSocketImpl}, through both doors java.net has: the old integer ids
 * ({@link SocketOptions}, behind {@code setTcpNoDelay}, {@code setSoTimeout} ...) and
 * {@link SocketOption} ({@link StandardSocketOptions}, {@link MptcpSocketOptions}).
 *
 * <p>What each means here: TCP_NODELAY turns the connection's Nagle algorithm off (on by default,
 * as in java.net); SO_SNDBUF / SO_RCVBUF size the socket's own stages in front of the stack's
 * per-connection buffers ({@link StackConfig#sendBufferBytes}, {@link StackConfig#receiveBufferBytes});
 * SO_LINGER 0 makes {@code close} a reset; SO_KEEPALIVE reads the host's keepalive setting and may
 * only be set to it; SO_REUSEADDR is accepted and has no effect (the stack recycles TIME-WAIT
 * tuples by itself).
 */
final class SocketOptionsSupport {
    static final Set<SocketOption<?>> SUPPORTED = Set.of(StandardSocketOptions.TCP_NODELAY,
            StandardSocketOptions.SO_SNDBUF, StandardSocketOptions.SO_RCVBUF, StandardSocketOptions.SO_KEEPALIVE,
            StandardSocketOptions.SO_LINGER, StandardSocketOptions.SO_REUSEADDR, MptcpSocketOptions.MPTCP_INFO,
            MptcpSocketOptions.TCP_INFO, MptcpSocketOptions.MPTCP_ENABLED, MptcpSocketOptions.MPTCP_CHECKSUM,
            MptcpSocketOptions.MPTCP_SCHEDULER, MptcpSocketOptions.MPTCP_LIMITS, MptcpSocketOptions.MPTCP_ENDPOINTS,
            MptcpSocketOptions.ENGINE);

    private final MptcpSocketImpl impl;
    private volatile boolean noDelay;
    private volatile int soTimeoutMillis;
    private volatile int sendStageBytes = MptcpSocketImpl.DEFAULT_STAGE_BYTES;
    private volatile int recvStageBytes = MptcpSocketImpl.DEFAULT_STAGE_BYTES;
    /** Seconds; negative: off. */
    private volatile int lingerSeconds = -1;
    private volatile boolean reuseAddress;
    private volatile InetAddress localAddress;
    /** MPTCP_SCHEDULER as set on this socket, or null: the host's. */
    private volatile String scheduler;

    SocketOptionsSupport(MptcpSocketImpl impl) {
        this.impl = impl;
    }

    boolean noDelay() {
        return noDelay;
    }

    int soTimeoutMillis() {
        return soTimeoutMillis;
    }

    int sendStageBytes() {
        return sendStageBytes;
    }

    int recvStageBytes() {
        return recvStageBytes;
    }

    int lingerSeconds() {
        return lingerSeconds;
    }

    /** The scheduler set on this socket, or null for the host's. */
    String scheduler() {
        return scheduler;
    }

    void setLocalAddress(InetAddress a) {
        localAddress = a;
    }

    private boolean hostKeepAlive() {
        return impl.host.config().keepaliveIdleNanos() != Nanos.NEVER;
    }

    void setLegacy(int id, Object value) throws SocketException {
        try {
            switch (id) {
                case SocketOptions.TCP_NODELAY -> setNoDelay((Boolean) value);
                case SocketOptions.SO_TIMEOUT -> {
                    int t = (Integer) value;
                    if (t < 0) {
                        throw new IllegalArgumentException("timeout can't be negative");
                    }
                    soTimeoutMillis = t;
                }
                case SocketOptions.SO_SNDBUF -> setStages((Integer) value, recvStageBytes);
                case SocketOptions.SO_RCVBUF -> setStages(sendStageBytes, (Integer) value);
                case SocketOptions.SO_KEEPALIVE -> setKeepAlive((Boolean) value);
                case SocketOptions.SO_LINGER -> lingerSeconds = value instanceof Integer i ? i : -1;
                case SocketOptions.SO_REUSEADDR -> reuseAddress = (Boolean) value;
                default -> throw new SocketException("Option " + id + " is not supported by mptcp4j sockets");
            }
        } catch (SocketException e) {
            throw e;
        } catch (IOException e) {
            throw new SocketException(e.getMessage(), e);
        }
    }

    Object getLegacy(int id) throws SocketException {
        return switch (id) {
            case SocketOptions.TCP_NODELAY -> noDelay;
            case SocketOptions.SO_TIMEOUT -> soTimeoutMillis;
            case SocketOptions.SO_SNDBUF -> sendStageBytes;
            case SocketOptions.SO_RCVBUF -> recvStageBytes;
            case SocketOptions.SO_KEEPALIVE -> hostKeepAlive();
            case SocketOptions.SO_LINGER -> lingerSeconds >= 0 ? (Object) lingerSeconds : Boolean.FALSE;
            case SocketOptions.SO_REUSEADDR -> reuseAddress;
            case SocketOptions.SO_BINDADDR -> localAddress != null ? localAddress : InetAddress.ofLiteral("0.0.0.0");
            case SocketOptions.IP_TOS -> 0;
            case SocketOptions.SO_OOBINLINE -> false;
            default -> throw new SocketException("Option " + id + " is not supported by mptcp4j sockets");
        };
    }

    <T> void set(SocketOption<T> name, T value) throws IOException {
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        if (name == MptcpSocketOptions.MPTCP_SCHEDULER && value instanceof String v) {
            if (org.mptcp4j.mptcp.Scheduler.byName(v).isEmpty()) {
                throw new IllegalArgumentException("Invalid value for " + name + ": " + v + " (one of "
                        + org.mptcp4j.mptcp.Scheduler.NAMES + ", roundrobin:N)");
            }
            scheduler = v;
            impl.applyScheduler(v);
            return;
        }
        if (name instanceof MptcpSocketOptions.Option<?> o) {
            throw new UnsupportedOperationException(o.hostWide()
                    ? "'" + name + "' belongs to the host: set it in the StackConfig of MptcpHost " + impl.host.driver().name()
                    : "'" + name + "' is read-only");
        }
        if (value == null) {
            throw new IllegalArgumentException("'" + name + "' needs a value");
        }
        if (name == StandardSocketOptions.TCP_NODELAY) {
            setNoDelay((Boolean) value);
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            setStages(positive((Integer) value, name), recvStageBytes);
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            setStages(sendStageBytes, positive((Integer) value, name));
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            setKeepAlive((Boolean) value);
        } else if (name == StandardSocketOptions.SO_LINGER) {
            lingerSeconds = Math.min((Integer) value, 65535);
        } else if (name == StandardSocketOptions.SO_REUSEADDR) {
            reuseAddress = (Boolean) value;
        }
    }

    @SuppressWarnings("unchecked")
    <T> T get(SocketOption<T> name) throws IOException {
        if (!SUPPORTED.contains(name)) {
            throw new UnsupportedOperationException("'" + name + "' not supported");
        }
        StackConfig config = impl.host.config();
        Object v;
        if (name == MptcpSocketOptions.ENGINE) {
            v = Engine.USERSPACE;
        } else if (name == MptcpSocketOptions.MPTCP_INFO) {
            v = impl.mptcpInfo();
        } else if (name == MptcpSocketOptions.TCP_INFO) {
            v = impl.info();
        } else if (name == MptcpSocketOptions.MPTCP_ENABLED) {
            v = config.mptcpEnabled();
        } else if (name == MptcpSocketOptions.MPTCP_CHECKSUM) {
            v = config.mptcp().checksumRequired();
        } else if (name == MptcpSocketOptions.MPTCP_SCHEDULER) {
            String current = impl.currentScheduler();
            v = current != null ? current : scheduler != null ? scheduler : config.mptcp().scheduler();
        } else if (name == MptcpSocketOptions.MPTCP_LIMITS) {
            v = config.mptcp().limits();
        } else if (name == MptcpSocketOptions.MPTCP_ENDPOINTS) {
            v = config.mptcp().endpoints();
        } else if (name == StandardSocketOptions.SO_LINGER) {
            v = lingerSeconds;
        } else {
            v = getLegacy(legacyId(name));
        }
        return (T) v;
    }

    private static int legacyId(SocketOption<?> name) {
        if (name == StandardSocketOptions.TCP_NODELAY) {
            return SocketOptions.TCP_NODELAY;
        } else if (name == StandardSocketOptions.SO_SNDBUF) {
            return SocketOptions.SO_SNDBUF;
        } else if (name == StandardSocketOptions.SO_RCVBUF) {
            return SocketOptions.SO_RCVBUF;
        } else if (name == StandardSocketOptions.SO_KEEPALIVE) {
            return SocketOptions.SO_KEEPALIVE;
        }
        return SocketOptions.SO_REUSEADDR;
    }

    private static int positive(int v, SocketOption<?> name) {
        if (v <= 0) {
            throw new IllegalArgumentException("Invalid value for " + name + ": " + v);
        }
        return v;
    }

    private void setNoDelay(boolean on) throws IOException {
        noDelay = on;
        impl.applyNagle(!on);
    }

    private void setStages(int sendBytes, int recvBytes) {
        sendStageBytes = sendBytes;
        recvStageBytes = recvBytes;
        impl.resizeStages(sendBytes, recvBytes);
    }

    private void setKeepAlive(boolean on) throws SocketException {
        if (on != hostKeepAlive()) {
            throw new SocketException("SO_KEEPALIVE is " + (hostKeepAlive() ? "on" : "off") + " for every socket of "
                    + "MptcpHost " + impl.host.driver().name() + ": set keepaliveIdleNanos in its StackConfig");
        }
    }
}
