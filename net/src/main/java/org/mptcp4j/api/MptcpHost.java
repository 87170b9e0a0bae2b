package org.mptcp4j.api;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.mptcp4j.base.Rng;
import org.mptcp4j.base.SecureRng;
import org.mptcp4j.mib.Mib;
import org.mptcp4j.mib.MibCounter;
import org.mptcp4j.mptcp.Endpoint;
import org.mptcp4j.net.driver.PacketLink;
import org.mptcp4j.net.driver.RealTimeDriver;
import org.mptcp4j.net.emu.PathEmulator;
import org.mptcp4j.net.tun.TunDevice;
import org.mptcp4j.net.tun.TunLink;
import org.mptcp4j.net.udp.UdpDriver;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;

/**
 * One mptcp4j stack on a real network: a core {@link Stack} owned by a {@link RealTimeDriver}
 * reactor thread over a TUN device or UDP sockets. The {@link StackConfig} it starts with says
 * whether it speaks MPTCP ({@code mptcpEnabled}, on by default) and with which endpoints and
 * limits ({@code withMptcp(MptcpConfig.defaults().withEndpoints(..).withLimits(..))}, Linux's
 * {@code ip mptcp endpoint} and {@code ip mptcp limits}); the addresses it owns are the ones its
 * endpoints may name. Sockets ({@link MptcpSocket},
 * {@link MptcpServerSocket}) are made on a host; their calls run on the reactor, so any number of
 * platform or virtual threads may use them.
 */
public final class MptcpHost implements AutoCloseable {
    private final RealTimeDriver driver;
    private final StackEndpoint endpoint;
    private final List<InetAddress> addresses;

    private MptcpHost(RealTimeDriver driver, StackEndpoint endpoint, List<InetAddress> addresses) {
        this.driver = driver;
        this.endpoint = endpoint;
        this.addresses = addresses;
    }

    /**
     * Starts a host whose stack owns {@code addresses} on {@code link}.
     *
     * @param egress  per-path emulation of outgoing packets, or null
     * @param ingress per-path emulation of incoming packets, or null
     */
    public static MptcpHost start(String name, StackConfig config, Rng rng, PacketLink link, List<InetAddress> addresses,
            PathEmulator egress, PathEmulator ingress) {
        Stack stack = new Stack(config, rng);
        for (InetAddress a : addresses) {
            stack.addAddress(a);
        }
        StackEndpoint endpoint = new StackEndpoint(stack);
        RealTimeDriver driver = new RealTimeDriver(name, link, endpoint, egress, ingress);
        endpoint.attach(driver);
        driver.start();
        return new MptcpHost(driver, endpoint, List.copyOf(addresses));
    }

    /** A host on UDP sockets (both ends mptcp4j); a secure random source. */
    public static MptcpHost overUdp(String name, StackConfig config, UdpDriver link, List<InetAddress> addresses) {
        return start(name, config, new SecureRng(), link, addresses, null, null);
    }

    /** A host on a TUN device, the kernel being the network; a secure random source. */
    public static MptcpHost overTun(String name, StackConfig config, TunDevice tun, List<InetAddress> addresses)
            throws IOException {
        return start(name, config, new SecureRng(), new TunLink(tun, true), addresses, null, null);
    }

    public List<InetAddress> addresses() {
        return addresses;
    }

    /**
     * The stack's settings, MPTCP's among them ({@link StackConfig#mptcp()}: endpoints, limits,
     * scheduler, checksums; {@link StackConfig#mptcpEnabled()}), as the host started: endpoints
     * changed since are in {@link #endpoints()}.
     */
    public StackConfig config() {
        return endpoint.stack().config();
    }

    public RealTimeDriver driver() {
        return driver;
    }

    /**
     * Sends the scheduling decisions of every connection opened or accepted on this host from now
     * on to {@code trace} (null: off, as a host starts). It is called on the reactor thread, in the
     * middle of sending: {@link org.mptcp4j.mptcp.SchedulerTraceCsv} over a buffered writer is quick
     * enough; flush it after the connections closed.
     */
    public void setSchedulerTrace(org.mptcp4j.mptcp.SchedulerTrace trace) throws IOException {
        call(() -> {
            endpoint.stack().setSchedulerTrace(trace);
            return null;
        });
    }

    private volatile MptcpSelectorProvider selectorProvider;

    /** NIO on this host: socket channels, server socket channels and selectors for them. */
    public MptcpSelectorProvider selectorProvider() {
        MptcpSelectorProvider p = selectorProvider;
        if (p == null) {
            synchronized (this) {
                p = selectorProvider;
                if (p == null) {
                    selectorProvider = p = new MptcpSelectorProvider(this);
                }
            }
        }
        return p;
    }

    /**
     * The stack's counters by nstat name (a snapshot taken on the reactor), every counter the stack
     * has, zeros included, as {@code nstat -az} prints them.
     */
    public Map<String, Long> counters() throws IOException {
        return call(() -> {
            Mib mib = endpoint.stack().mib();
            Map<String, Long> all = new LinkedHashMap<>();
            for (MibCounter c : MibCounter.values()) {
                all.put(c.nstatName(), mib.get(c));
            }
            return all;
        });
    }

    /**
     * Runs {@code request} on the reactor without waiting for it (a socket's hand-off of bytes);
     * a stopped host throws "Socket closed".
     */
    void execute(Runnable request) throws java.net.SocketException {
        try {
            driver.execute(request);
        } catch (IllegalStateException e) {
            throw new java.net.SocketException("Socket closed: mptcp4j host " + driver.name() + " is stopped", e);
        }
    }

    StackEndpoint endpoint() {
        return endpoint;
    }

    /** The MPTCP endpoints now ({@code ip mptcp endpoint show}). */
    public List<Endpoint> endpoints() throws IOException {
        return call(() -> endpoint.stack().endpoints());
    }

    /** {@code ip mptcp endpoint add}: see {@link org.mptcp4j.stack.Stack#addEndpoint}; running connections use it too. */
    public void addEndpoint(Endpoint e) throws IOException {
        call(() -> {
            endpoint.stack().addEndpoint(driver.nowNanos(), e);
            return null;
        });
    }

    /** {@code ip mptcp endpoint delete id N}: REMOVE_ADDR to the peers, the subflows from it close. */
    public void removeEndpoint(int id) throws IOException {
        call(() -> {
            endpoint.stack().removeEndpoint(driver.nowNanos(), id);
            return null;
        });
    }

    /** {@code ip mptcp endpoint change id N backup|nobackup}: MP_PRIO on the subflows from it. */
    public void setEndpointBackup(int id, boolean backup) throws IOException {
        call(() -> {
            endpoint.stack().setEndpointBackup(driver.nowNanos(), id, backup);
            return null;
        });
    }

    /** Runs {@code work} on the reactor (directly when already there) and returns its result. */
    <T> T call(Callable<T> work) throws IOException {
        if (driver.inReactor()) {
            try {
                return work.call();
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
        if (!driver.isRunning()) {
            throw stopped();
        }
        try {
            return driver.submit(work).get();
        } catch (IllegalStateException e) {
            throw stopped();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            InterruptedIOException io = new InterruptedIOException("interrupted while waiting for the mptcp4j reactor");
            io.initCause(e);
            throw io;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IOException(cause);
        }
    }

    IOException stopped() {
        return new java.net.SocketException("Socket closed: mptcp4j host " + driver.name() + " is stopped",
                driver.failure());
    }

    /** How long {@link #close()} waits for closed connections to deliver what they still hold. */
    public static final Duration DEFAULT_LINGER = Duration.ofSeconds(10);

    private static final long LINGER_POLL_MILLIS = 5;

    /**
     * Lets closed connections finish (their data and FIN acknowledged, at most
     * {@link #DEFAULT_LINGER}) and the packets an egress path emulator still holds leave, then stops
     * the reactor and closes the link; sockets still open fail with "stopped".
     */
    @Override
    public void close() throws IOException {
        close(DEFAULT_LINGER);
    }

    /**
     * Like {@link #close()} with a linger of your choice ({@link Duration#ZERO}: stop at once).
     * A user-space stack dies with its process, unlike the kernel's, which keeps an orphaned socket
     * sending after its process exited; lingering gives the same guarantee to a program that writes,
     * closes its socket, closes the host and exits: what {@code write} accepted is delivered.
     */
    public void close(Duration linger) throws IOException {
        long deadline = System.nanoTime() + linger.toNanos();
        try {
            // The emulated path's packets count too: the last ACK of a close (the one the peer's
            // LAST-ACK waits for) is often still there when the stack has nothing left to send.
            while (driver.isRunning() && System.nanoTime() - deadline < 0
                    && call(() -> endpoint.stack().pendingCloseCount() > 0
                            || endpoint.closingWithStagedBytes() > 0 || driver.holdsEgressPackets())) {
                Thread.sleep(LINGER_POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException stoppedMeanwhile) {
            // the reactor stopped on its own: nothing is left to wait for
        } finally {
            driver.close();
        }
    }
}
