package org.mptcp4j.net.driver;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.net.emu.PathEmulator;

/**
 * The reactor: one platform thread that owns one {@link SansIoEndpoint} (a stack) and one
 * {@link PacketLink}, and drives the endpoint's deadlines with {@code System.nanoTime()}. It wakes on
 * packets, on deadlines, and on application requests ({@link #execute}, {@link #submit}), which run on
 * the reactor thread so that the endpoint never sees two threads.
 *
 * <p>One turn: read up to {@link #RX_BATCH} packets into {@code handleInbound}; run queued requests;
 * fire a due deadline; drain {@code pollTransmit} into the link; let the endpoint dispatch events;
 * then sleep in the link until the earliest of the endpoint's deadline and the emulators' next
 * release. Optional {@link PathEmulator}s apply per-path delay, rate and loss to outgoing (egress)
 * and incoming (ingress) packets inside the driver.
 */
public final class RealTimeDriver implements AutoCloseable {
    /** Packets read per turn before timers and transmits get their chance. */
    public static final int RX_BATCH = 64;

    private final String name;
    private final PacketLink link;
    private final SansIoEndpoint endpoint;
    private final PathEmulator egress;
    private final PathEmulator ingress;
    private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
    /** Futures to complete at the end of the turn, after transmit (reactor thread only). */
    private final java.util.ArrayList<Runnable> completions = new java.util.ArrayList<>();
    private final Thread thread;
    private final PathEmulator.Sink linkSink;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile boolean linkClosed;
    private long nowNanos;

    // Counters, written by the reactor only.
    private volatile long packetsIn;
    private volatile long packetsOut;
    private volatile long turns;

    /** A driver without path emulation. */
    public RealTimeDriver(String name, PacketLink link, SansIoEndpoint endpoint) {
        this(name, link, endpoint, null, null);
    }

    /**
     * @param egress  emulates the paths of outgoing packets (keyed by source → destination); null: none
     * @param ingress emulates the paths of incoming packets (keyed by our address → theirs); null: none
     */
    public RealTimeDriver(String name, PacketLink link, SansIoEndpoint endpoint, PathEmulator egress, PathEmulator ingress) {
        this.name = Objects.requireNonNull(name);
        this.link = Objects.requireNonNull(link);
        this.endpoint = Objects.requireNonNull(endpoint);
        this.egress = egress;
        this.ingress = ingress;
        this.linkSink = (packet, source, destination) -> {
            if (link.send(packet)) {
                packetsOut++;
            }
        };
        // Emulated paths drop and delay MTU-sized packets: no segmentation offload behind them.
        endpoint.setSegmentationOffload(egress == null ? link.segmentationOffloadBytes() : 0);
        link.setReceiveChecksumOffload(ingress == null);
        this.thread = Thread.ofPlatform().name("mptcp4j-reactor-" + name).daemon(true).unstarted(this::loop);
        this.nowNanos = System.nanoTime();
    }

    public RealTimeDriver start() {
        thread.start();
        return this;
    }

    public String name() {
        return name;
    }

    /** Runs {@code request} on the reactor thread, soon; then the reactor sends what it produced. */
    public void execute(Runnable request) {
        if (!running) {
            throw new IllegalStateException("driver " + name + " is stopped", failure);
        }
        requests.add(request);
        if (!running && requests.remove(request)) {
            // The reactor stopped after the check above and drained its queue before this request
            // arrived: nobody would run it. (If the remove fails, the reactor's final drain took it.)
            throw new IllegalStateException("driver " + name + " is stopped", failure);
        }
        link.wakeup();
    }

    /** Whether the link can send to {@code destination} at all (reactor thread). */
    public boolean hasRoute(InetAddress destination) {
        return link.hasRoute(destination);
    }

    /**
     * Runs {@code request} on the reactor thread and completes the future with its result once the
     * packets the request produced have been handed to the link (or the emulator).
     */
    public <T> CompletableFuture<T> submit(Callable<T> request) {
        CompletableFuture<T> result = new CompletableFuture<>();
        execute(() -> {
            try {
                T value = request.call();
                completions.add(() -> result.complete(value));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        return result;
    }

    /** True on the reactor thread: there, call the endpoint directly instead of submitting. */
    public boolean inReactor() {
        return Thread.currentThread() == thread;
    }

    /** The reactor's clock reading of the current turn (reactor thread only). */
    public long nowNanos() {
        return nowNanos;
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * Whether the egress emulator still holds packets the endpoint sent (reactor thread only):
     * stopping now would lose them, as if a link dropped them after the stack let them go.
     */
    public boolean holdsEgressPackets() {
        return egress != null && egress.nextReleaseNanos() != Nanos.NEVER;
    }

    /** Why the reactor stopped on its own, or null. */
    public Throwable failure() {
        return failure;
    }

    public DriverStats stats() {
        return new DriverStats(packetsIn, packetsOut, link.dropped(), turns);
    }

    private void loop() {
        Throwable cause = null;
        try {
            while (running) {
                turn();
            }
        } catch (Throwable t) {
            cause = t;
            failure = t;
        } finally {
            running = false;
            for (Runnable c : completions) {
                c.run();
            }
            completions.clear();
            Runnable r;
            // Requests that will never run: let them see the stop rather than hang.
            while ((r = requests.poll()) != null) {
                try {
                    r.run();
                } catch (Throwable ignored) {
                    // best effort: the endpoint may refuse work after a failure
                }
            }
            endpoint.onDriverStopped(cause);
        }
    }

    private void turn() throws IOException {
        turns++;
        nowNanos = System.nanoTime();
        receive();
        Runnable r;
        while ((r = requests.poll()) != null) {
            r.run();
        }
        if (endpoint.pollTimeout() <= nowNanos) {
            endpoint.handleTimeout(nowNanos);
        }
        transmit();
        endpoint.dispatchEvents(nowNanos);
        // Events may have let the application queue more work; transmit it in this turn.
        transmit();
        if (!completions.isEmpty()) {
            for (Runnable c : completions) {
                c.run();
            }
            completions.clear();
        }

        long deadline = endpoint.pollTimeout();
        if (egress != null) {
            deadline = Math.min(deadline, egress.nextReleaseNanos());
        }
        if (ingress != null) {
            deadline = Math.min(deadline, ingress.nextReleaseNanos());
        }
        if (!requests.isEmpty() || !running) {
            return;
        }
        long now = System.nanoTime();
        if (deadline == Nanos.NEVER) {
            link.await(-1);
        } else if (deadline > now) {
            link.await(deadline - now);
        }
    }

    private void receive() throws IOException {
        for (int i = 0; i < RX_BATCH; i++) {
            ByteBuffer p = link.receive();
            if (p == null) {
                break;
            }
            packetsIn++;
            if (ingress != null && ingress.isActive()) {
                InetAddress source = IpPackets.source(p);
                if (source != null
                        && ingress.offer(nowNanos, p, IpPackets.destination(p), source) != PathEmulator.Outcome.PASS) {
                    continue;
                }
            }
            endpoint.handleInbound(nowNanos, p, link.receivedChecksumValidated());
        }
        if (ingress != null) {
            ingress.releaseDue(nowNanos, (p, ourAddress, theirAddress) -> endpoint.handleInbound(nowNanos, p));
        }
    }

    private void transmit() throws IOException {
        if (egress != null) {
            egress.releaseDue(nowNanos, linkSink);
        }
        while (true) {
            ByteBuffer out = link.transmitBuffer();
            if (!endpoint.pollTransmit(nowNanos, out)) {
                link.flush();
                return;
            }
            out.flip();
            if (egress != null && egress.isActive()) {
                InetAddress source = IpPackets.source(out);
                if (source != null && egress.offer(nowNanos, out, source, IpPackets.destination(out)) != PathEmulator.Outcome.PASS) {
                    continue;
                }
            }
            if (link.send(out, endpoint.lastTransmitGsoSize())) {
                packetsOut++;
            }
        }
    }

    /** Stops the reactor, waits for it, and closes the link; a second call does nothing. */
    @Override
    public synchronized void close() throws IOException {
        if (linkClosed) {
            return; // not even a wakeup: a closed TUN link's memory is gone
        }
        running = false;
        link.wakeup();
        if (thread.isAlive() && !inReactor()) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        linkClosed = true; // a link need not take a second close (a TUN's arena throws)
        link.close();
    }

    /**
     * What the reactor did.
     *
     * @param packetsIn   packets read from the link
     * @param packetsOut  packets the link accepted
     * @param linkDropped packets the link dropped
     * @param turns       reactor turns (wake-ups)
     */
    public record DriverStats(long packetsIn, long packetsOut, long linkDropped, long turns) {}
}
