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
import org.mptcp4j.mptcp.PmCommand;
import org.mptcp4j.mptcp.PmEvent;
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
 *
 * <p>{@link #kernel()} is the other engine: the same sockets on the Linux kernel's MPTCP
 * ({@link Engine#KERNEL}), with no stack or reactor of ours.
 */
public final class MptcpHost implements AutoCloseable {
    private final Engine engine;
    /** Null for the kernel engine, whose stack is the kernel's. */
    private final RealTimeDriver driver;
    private final StackEndpoint endpoint;
    private final List<InetAddress> addresses;
    /** The kernel engine's settings; null for the userspace engine, whose stack holds its own. */
    private final StackConfig kernelConfig;

    private MptcpHost(RealTimeDriver driver, StackEndpoint endpoint, List<InetAddress> addresses) {
        this.engine = Engine.USERSPACE;
        this.driver = driver;
        this.endpoint = endpoint;
        this.addresses = addresses;
        this.kernelConfig = null;
    }

    private MptcpHost(StackConfig kernelConfig) {
        this.engine = Engine.KERNEL;
        this.driver = null;
        this.endpoint = null;
        this.addresses = List.of();
        this.kernelConfig = kernelConfig;
    }

    /**
     * The Linux kernel's MPTCP as a host ({@link Engine#KERNEL}): its sockets are kernel sockets of
     * protocol {@code IPPROTO_MPTCP} in the network namespace of the thread that binds or connects
     * them, plain TCP where the kernel has no MPTCP or has it disabled ({@code MPTCP_INFO} then
     * reports mode {@code PLAIN}). The path manager, scheduler and limits are the namespace's
     * ({@code ip mptcp}, {@code sysctl net.mptcp.*}). Run with {@code --enable-native-access=org.mptcp4j.net}
     * ({@code ALL-UNNAMED} on the class path), else the JDK warns at the first system call.
     */
    public static MptcpHost kernel() {
        return new MptcpHost(StackConfig.defaults());
    }

    /**
     * The kernel engine with what it can honour of {@code config}: {@code mptcpEnabled} (false:
     * plain TCP sockets) and {@code congestionControl} when it is uncoupled ({@code reno},
     * {@code cubic}, set per socket with {@code TCP_CONGESTION}). Anything else that differs from
     * {@link StackConfig#defaults()} is refused: an {@link IllegalArgumentException} names it and
     * the Linux setting that decides it, instead of ignoring it.
     */
    public static MptcpHost kernel(StackConfig config) {
        KernelEngineConfig.check(config);
        return new MptcpHost(config);
    }

    /** Which implementation runs this host's connections. */
    public Engine engine() {
        return engine;
    }

    /** The kernel engine: whether sockets ask for IPPROTO_MPTCP. */
    boolean kernelMptcp() {
        return kernelConfig.mptcpEnabled();
    }

    /** The kernel engine: the congestion control to set on each socket, or null for the kernel's default. */
    String kernelCongestionControl() {
        return KernelEngineConfig.congestionControl(kernelConfig);
    }

    private void requireUserspace(String what) {
        if (engine == Engine.KERNEL) {
            throw new UnsupportedOperationException(what + " is not available on the kernel engine: " + KERNEL_HINT);
        }
    }

    private static final String KERNEL_HINT = "the kernel keeps it per network namespace (ip mptcp, sysctl "
            + "net.mptcp.*, nstat); use MptcpHost.overUdp/overTun for mptcp4j's own stack";

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

    /**
     * One line for a UDP host: each of {@code addresses} (local addresses, loopback or not) gets a
     * UDP socket on {@code udpPort}, and a peer's IP address X is reached at UDP X:{@code udpPort},
     * so two hosts started this way on the same port find each other, in one process or two, on
     * one machine or two. Unprivileged.
     */
    public static MptcpHost overUdp(String name, StackConfig config, int udpPort, List<InetAddress> addresses)
            throws IOException {
        UdpDriver.Builder b = UdpDriver.builder().samePort(udpPort);
        for (InetAddress a : addresses) {
            b.local(a, udpPort);
        }
        return overUdp(name, config, b.open(), addresses);
    }

    /**
     * One line for a TUN host against any TCP or MPTCP peer (root or {@code CAP_NET_ADMIN}): opens
     * (or creates) the TUN device {@code device} in the calling thread's network namespace, with
     * GSO batching ({@code IFF_VNET_HDR}); route {@code addresses} to it ({@code ip route}) for the
     * kernel to deliver their packets to us.
     */
    public static MptcpHost overTun(String name, StackConfig config, String device, List<InetAddress> addresses)
            throws IOException {
        return overTun(name, config, TunDevice.open(device, true), addresses);
    }

    /**
     * One line for a loopback pair: a server host on 127.0.0.2 and a client host on 127.0.0.1,
     * mptcp4j's stack on both, IP over UDP (unprivileged, any free UDP ports), default settings.
     * Close the pair to close both.
     */
    public static Pair loopbackPair() throws IOException {
        return loopbackPair(StackConfig.defaults(), StackConfig.defaults());
    }

    /** {@link #loopbackPair()} with a configuration for each side. */
    public static Pair loopbackPair(StackConfig serverConfig, StackConfig clientConfig) throws IOException {
        InetAddress serverIp = InetAddress.ofLiteral("127.0.0.2");
        InetAddress clientIp = InetAddress.ofLiteral("127.0.0.1");
        UdpDriver serverLink = UdpDriver.builder().local(serverIp, 0).open();
        UdpDriver clientLink;
        try {
            clientLink = UdpDriver.builder().local(clientIp, 0).peer(serverIp, serverLink.localSocketAddress(serverIp))
                    .open();
            serverLink.addPeer(clientIp, clientLink.localSocketAddress(clientIp));
        } catch (IOException | RuntimeException e) {
            serverLink.close();
            throw e;
        }
        MptcpHost server = overUdp("server", serverConfig, serverLink, List.of(serverIp));
        return new Pair(server, overUdp("client", clientConfig, clientLink, List.of(clientIp)));
    }

    /** Two hosts made together ({@link #loopbackPair()}); closing the pair closes both. */
    public record Pair(MptcpHost server, MptcpHost client) implements AutoCloseable {
        /** The server host's address (127.0.0.2 for a loopback pair), to listen on and connect to. */
        public InetAddress serverAddress() {
            return server.addresses().getFirst();
        }

        @Override
        public void close() throws IOException {
            try {
                client.close();
            } finally {
                server.close();
            }
        }
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

    /** The addresses the stack owns; empty for the kernel engine, whose addresses are the namespace's ({@code ip addr}). */
    public List<InetAddress> addresses() {
        return addresses;
    }

    /**
     * The stack's settings, MPTCP's among them ({@link StackConfig#mptcp()}: endpoints, limits,
     * scheduler, checksums; {@link StackConfig#mptcpEnabled()}), as the host started: endpoints
     * changed since are in {@link #endpoints()}.
     */
    public StackConfig config() {
        return engine == Engine.KERNEL ? kernelConfig : endpoint.stack().config();
    }

    /** The reactor of a userspace host; the kernel engine has none ({@link UnsupportedOperationException}). */
    public RealTimeDriver driver() {
        requireUserspace("a reactor");
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
        requireUserspace("NIO (MptcpSocketChannel, selectors)");
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
        requireUserspace("counters()");
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

    /**
     * Runs {@code request} at once on the calling thread, as the reactor would, and sends what it
     * produced ({@link RealTimeDriver#executeNow}): a write's bytes leave without a thread
     * hand-off. The caller holds no {@code ConnState} lock. A stopped host throws "Socket closed".
     */
    void executeNow(Runnable request) throws java.net.SocketException {
        try {
            driver.executeNow(request);
        } catch (IllegalStateException e) {
            throw new java.net.SocketException("Socket closed: mptcp4j host " + driver.name() + " is stopped", e);
        }
    }

    /**
     * Lets a thread about to wait for {@code done} wait in the link itself and run the reactor's
     * turns until then ({@link RealTimeDriver#lead}); false when it cannot, and it waits as before.
     */
    boolean lead(java.util.function.BooleanSupplier done, long deadlineNanos) {
        return driver.lead(done, deadlineNanos);
    }

    /** Whether the calling thread could lead at all ({@link RealTimeDriver#mayLead}). */
    boolean mayLead() {
        return driver.mayLead();
    }

    StackEndpoint endpoint() {
        return endpoint;
    }

    /** The MPTCP endpoints now ({@code ip mptcp endpoint show}). */
    public List<Endpoint> endpoints() throws IOException {
        requireUserspace("endpoints()");
        return call(() -> endpoint.stack().endpoints());
    }

    /** {@code ip mptcp endpoint add}: see {@link org.mptcp4j.stack.Stack#addEndpoint}; running connections use it too. */
    public void addEndpoint(Endpoint e) throws IOException {
        requireUserspace("addEndpoint");
        call(() -> {
            endpoint.stack().addEndpoint(driver.nowNanos(), e);
            return null;
        });
    }

    /** {@code ip mptcp endpoint delete id N}: REMOVE_ADDR to the peers, the subflows from it close. */
    public void removeEndpoint(int id) throws IOException {
        requireUserspace("removeEndpoint");
        call(() -> {
            endpoint.stack().removeEndpoint(driver.nowNanos(), id);
            return null;
        });
    }

    /**
     * {@code ip mptcp endpoint flush}: see {@link org.mptcp4j.stack.Stack#flushEndpoints}; one
     * REMOVE_ADDR per connection lists the announced ones, the subflows from all of them close.
     */
    public void flushEndpoints() throws IOException {
        requireUserspace("flushEndpoints");
        call(() -> {
            endpoint.stack().flushEndpoints(driver.nowNanos());
            return null;
        });
    }

    /**
     * {@code ip mptcp endpoint delete id 0 ADDRESS}: see {@link org.mptcp4j.stack.Stack#removeAddressZero};
     * connections whose initial subflow is from {@code address} withdraw it (REMOVE_ADDR of id 0)
     * and go on over their other subflows. Returns how many did.
     */
    public int removeAddressZero(java.net.InetAddress address) throws IOException {
        requireUserspace("removeAddressZero");
        return call(() -> endpoint.stack().removeAddressZero(driver.nowNanos(), address));
    }

    /** {@code ip mptcp endpoint change id N backup|nobackup}: MP_PRIO on the subflows from it. */
    public void setEndpointBackup(int id, boolean backup) throws IOException {
        requireUserspace("setEndpointBackup");
        call(() -> {
            endpoint.stack().setEndpointBackup(driver.nowNanos(), id, backup);
            return null;
        });
    }

    /**
     * Starts or stops keeping the stack's path-manager events ({@link org.mptcp4j.stack.Stack#setPmMonitor}),
     * as running {@code ip mptcp monitor} does; {@link #pollPmEvents} takes them.
     */
    public void setPmMonitor(boolean on) throws IOException {
        call(() -> {
            endpoint.stack().setPmMonitor(on);
            return null;
        });
    }

    /** The path-manager events since the last call, oldest first (none unless {@link #setPmMonitor} is on). */
    public List<PmEvent> pollPmEvents() throws IOException {
        return call(() -> {
            List<PmEvent> out = new java.util.ArrayList<>();
            for (PmEvent e = endpoint.stack().pollPmEvent(); e != null; e = endpoint.stack().pollPmEvent()) {
                out.add(e);
            }
            return out;
        });
    }

    /** A user-space path manager's command, run on the reactor: see {@link org.mptcp4j.stack.Stack#pmCommand}. */
    public PmCommand.Result pmCommand(PmCommand command) throws IOException {
        return call(() -> endpoint.stack().pmCommand(driver.nowNanos(), command));
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
        if (engine == Engine.KERNEL) {
            return; // the kernel's stack outlives us, and finishes closed connections by itself
        }
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
