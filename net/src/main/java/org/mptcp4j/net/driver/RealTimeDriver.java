package org.mptcp4j.net.driver;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.net.emu.PathEmulator;

/**
 * The reactor: one platform thread that owns one {@link SansIoEndpoint} (a stack) and one
 * {@link PacketLink}, and drives the endpoint's deadlines with {@code System.nanoTime()}. It wakes on
 * packets, on deadlines, and on application requests ({@link #execute}, {@link #submit}), which run in
 * its turns.
 *
 * <p>One turn: read up to {@link #RX_BATCH} packets into {@code handleInbound}; run queued requests;
 * fire a due deadline; drain {@code pollTransmit} into the link; let the endpoint dispatch events;
 * then sleep in the link until the earliest of the endpoint's deadline and the emulators' next
 * release. Optional {@link PathEmulator}s apply per-path delay, rate and loss to outgoing (egress)
 * and incoming (ingress) packets inside the driver.
 *
 * <p>The endpoint never sees two threads at once: whoever runs a turn holds the turn lock, as
 * Linux's socket lock orders process context and softirq. Usually that is the reactor. Two ways
 * keep thread hand-offs off a request/response's path, where the kernel has one per direction
 * (the reader's wake-up) and a reactor alone would have three (the writer's request to its
 * reactor, the packet to the peer's reactor, that reactor to the reader):
 * <ul>
 *   <li>{@link #executeNow} runs a request in a turn on the calling thread, so that a socket's
 *       write leaves as a packet before {@code write} returns (a kernel socket call does its
 *       protocol work in process context too);
 *   <li>a thread about to block for what the network brings may wait in the link in the
 *       reactor's place and run the turns itself ({@link #lead}, the leader/followers pattern), so
 *       that the packet it waits for wakes it directly. The reactor, meanwhile, parks; after a
 *       leader leaves it stays out of the link for {@link #LINGER_NANOS}, for the next read of a
 *       request/response to lead without first waking the reactor out of the link.
 * </ul>
 * Whoever sleeps in the link publishes until when; a turn elsewhere that wants the next turn
 * sooner wakes it.
 */
public final class RealTimeDriver implements AutoCloseable {
    /** Packets read per turn before timers and transmits get their chance. */
    public static final int RX_BATCH = 64;
    /**
     * How long the reactor stays out of the link after a leader left, for the next leader (a
     * request/response's next read comes within tens of microseconds). Packets that arrive then
     * wait for that leader or for the reactor's return, at most this long.
     */
    static final long LINGER_NANOS = 1_000_000;
    /**
     * How long the reactor parks while a leader waits in the link before it looks again. Readers
     * of a request/response lead one after another; a reactor that looks in often competes with
     * them for the CPU (SocketLatencyBenchmark on 2 vCPUs: rr p99 about 3x java.net's with a look
     * every 1 ms, 1.6-1.9x every 5 ms). A short lead leaving does not call it back unless a timer
     * falls due before its return, so after the last one packets wait at most this long.
     */
    static final long LEADER_PARK_NANOS = 4_000_000;
    /** The longest the reactor parks at a time while one lead lasts (a reader blocked for long). */
    static final long MAX_PARK_NANOS = 10_000_000;

    private final String name;
    private final PacketLink link;
    private final SansIoEndpoint endpoint;
    private final PathEmulator egress;
    private final PathEmulator ingress;
    private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
    /** Futures to complete at the end of the turn, after transmit (in a turn only). */
    private final java.util.ArrayList<Runnable> completions = new java.util.ArrayList<>();
    private final Thread thread;
    private final PathEmulator.Sink linkSink;
    private volatile boolean running = true;
    private volatile Throwable failure;
    private volatile boolean linkClosed;
    /** Held by whoever runs a turn: the reactor, or a caller of {@link #executeNow}. */
    private final ReentrantLock turnLock = new ReentrantLock();
    /** When the latest turn wants the next one at the latest (each turn writes it, under the turn lock). */
    private volatile long nextTurnBy = Nanos.NEVER;
    /** The thread sleeping in the link, and until when; a turn elsewhere that wants one sooner wakes it. */
    private volatile Thread sleeper;
    private volatile long sleeperDeadline = Nanos.NEVER;
    /** Guards {@link #leader} changes and {@link #reactorInLink}; leaders await {@link #reactorLeftLink}. */
    private final ReentrantLock leadLock = new ReentrantLock();
    private final Condition reactorLeftLink = leadLock.newCondition();
    /** An application thread waiting in the link in the reactor's place, or null. */
    private volatile Thread leader;
    /** When the current or last lead began ({@link System#nanoTime()}; the leader's thread only). */
    private long ledSince;
    /** When the last leader left ({@link System#nanoTime()}). */
    private volatile long leaderLeftNanos;
    private volatile boolean anyLeaderLeft;
    /** The reactor is in (or about to enter) {@link PacketLink#await}; guarded by {@link #leadLock}. */
    private boolean reactorInLink;
    /** Until when the reactor parks out of the link, or 0 when it does not. */
    private volatile long reactorParkedUntil;
    private long nowNanos;

    // Counters, written by the reactor only.
    private volatile long packetsIn;
    private volatile long packetsOut;
    private volatile long turns;
    private volatile long turnsElsewhere;
    /** Leads begun; the reactor's park doubles only while the same one lasts. */
    private volatile long leads;

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

    /** Runs {@code request} in the next turn (the reactor's, or a leader's), which sends what it produced. */
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
        unparkReactorIfAlone();
    }

    /**
     * Runs {@code request} at once on the calling thread, in a turn of its own (after requests
     * queued before it), and sends what it produced before returning: no hand-off to the reactor,
     * which is woken only if the turn leaves it something to do sooner than it planned (a timer
     * armed earlier, requests queued meanwhile). Waits while another thread runs a turn. The caller
     * must hold no lock that a turn takes (a socket's {@code ConnState} lock); from inside a turn,
     * this is {@link #execute}.
     */
    public void executeNow(Runnable request) {
        if (turnLock.isHeldByCurrentThread()) {
            execute(request);
            return;
        }
        turnLock.lock();
        try {
            if (!running) {
                throw new IllegalStateException("driver " + name + " is stopped", failure);
            }
            requests.add(request);
            turnsElsewhere++;
            nowNanos = System.nanoTime();
            work(false);
            if (!requests.isEmpty()) {
                link.wakeup(); // queued by this turn's events: whoever is in the link runs them
                unparkReactorIfAlone();
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            turnLock.unlock();
        }
    }

    /**
     * Lets the calling thread, about to block until {@code done} holds, wait in the link in the
     * reactor's place and run the turns itself until {@code done} holds, {@code deadlineNanos}
     * passes ({@code 0}: none), the thread is interrupted or the driver stops. Returns false,
     * having done nothing, when the thread cannot lead: it is virtual (it would hold its carrier in
     * the link), already runs a turn, another thread leads, the link's wait is not interruptible,
     * or the driver stopped. {@code done} is asked outside any turn.
     */
    public boolean lead(BooleanSupplier done, long deadlineNanos) {
        Thread me = Thread.currentThread();
        if (!mayLead()) {
            return false;
        }
        leadLock.lock();
        try {
            if (leader != null) {
                return false;
            }
            leader = me;
            leads++;
            ledSince = System.nanoTime();
            if (reactorInLink) {
                link.wakeup(); // the one hand-off of a lead: the reactor leaves the link, then parks
                while (reactorInLink) {
                    reactorLeftLink.awaitUninterruptibly();
                }
            }
        } finally {
            leadLock.unlock();
        }
        try {
            while (running && !me.isInterrupted()) {
                if (!turn()) {
                    break;
                }
                if (done.getAsBoolean() || deadlineNanos != 0 && deadlineNanos - System.nanoTime() <= 0) {
                    break;
                }
                sleepInLink(deadlineNanos == 0 ? Nanos.NEVER : deadlineNanos);
            }
        } catch (Throwable t) {
            fail(t);
        } finally {
            long left = System.nanoTime();
            leaderLeftNanos = left;
            anyLeaderLeft = true;
            leader = null;
            // The reactor comes back now when it would otherwise be late: after a long lead (a
            // reader blocked for long: the next read is not imminent), or for a timer due before
            // its return. After a short one it comes back by itself, unless the next leader keeps
            // it out (a request/response: no wake-up per exchange).
            long parkedUntil = reactorParkedUntil;
            if (parkedUntil != 0 && parkedUntil - left > LINGER_NANOS
                    && (left - ledSince > LINGER_NANOS || nextTurnBy - parkedUntil < 0)) {
                LockSupport.unpark(thread);
            }
        }
        return true;
    }

    /**
     * Whether the calling thread may {@link #lead} at all: a platform thread not in a turn, over a
     * link whose wait an interrupt ends, while the driver runs (another leader may still refuse it).
     */
    public boolean mayLead() {
        return !Thread.currentThread().isVirtual() && !turnLock.isHeldByCurrentThread() && running
                && link.awaitInterruptible();
    }

    /** A turn off the reactor thread failed: the driver stops as when the reactor's own turn fails. */
    private void fail(Throwable t) {
        failure = t;
        running = false;
        link.wakeup();
        LockSupport.unpark(thread);
    }

    /** Wakes the reactor when it parks out of the link with no leader in it to run what came. */
    private void unparkReactorIfAlone() {
        if (reactorParkedUntil != 0 && leader == null) {
            LockSupport.unpark(thread);
        }
    }

    /** Whether the link can send to {@code destination} at all (in a turn). */
    public boolean hasRoute(InetAddress destination) {
        return link.hasRoute(destination);
    }

    /**
     * Runs {@code request} in the next turn and completes the future with its result once the
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

    /** True while the calling thread runs a turn: there, call the endpoint directly instead of submitting. */
    public boolean inReactor() {
        return turnLock.isHeldByCurrentThread();
    }

    /** The clock reading of the current turn (in a turn only). */
    public long nowNanos() {
        return nowNanos;
    }

    public boolean isRunning() {
        return running;
    }

    /**
     * Whether the egress emulator still holds packets the endpoint sent (in a turn only):
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
        return new DriverStats(packetsIn, packetsOut, link.dropped(), turns, turnsElsewhere, leads);
    }

    private void loop() {
        Throwable cause = null;
        try {
            while (running) {
                turn();
                if (!requests.isEmpty() || !running || parkWhileLeadersLead()) {
                    continue;
                }
                leadLock.lock();
                try {
                    if (leader != null) {
                        continue; // came since: it leads, we park
                    }
                    reactorInLink = true;
                } finally {
                    leadLock.unlock();
                }
                try {
                    sleepInLink(Nanos.NEVER);
                } finally {
                    leadLock.lock();
                    try {
                        reactorInLink = false;
                        reactorLeftLink.signalAll();
                    } finally {
                        leadLock.unlock();
                    }
                }
            }
        } catch (Throwable t) {
            cause = t;
            failure = t;
        } finally {
            running = false;
            if (cause == null) {
                cause = failure; // a turn on another thread failed, and stopped us
            }
            turnLock.lock();
            try {
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
            } finally {
                turnLock.unlock();
            }
        }
    }

    /**
     * A receiving turn (the reactor's, a leader's) under the turn lock; false, having done
     * nothing, when the driver stopped meanwhile.
     */
    private boolean turn() throws IOException {
        turnLock.lock();
        try {
            if (!running) {
                return false;
            }
            nowNanos = System.nanoTime();
            work(true);
            return true;
        } finally {
            turnLock.unlock();
        }
    }

    /**
     * One turn's work, the turn lock held and {@link #nowNanos} read: received packets (when
     * {@code receive}: the reactor's turns), queued requests, a due deadline, transmits, events.
     * Returns when the next turn is due at the latest.
     */
    private long work(boolean receive) throws IOException {
        turns++;
        if (receive) {
            receive();
        }
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
        nextTurnBy = deadline;
        // Read after the write above; a sleeper writes itself, then reads nextTurnBy: one of the
        // two sees the other, so no earlier deadline goes unnoticed.
        // A leader asleep in the link also learns of what a turn elsewhere brought it.
        Thread t = sleeper;
        if (t != null && t != Thread.currentThread() && (deadline < sleeperDeadline || t == leader)) {
            link.wakeup();
        }
        long parkedUntil = reactorParkedUntil;
        if (parkedUntil != 0 && deadline < parkedUntil && leader == null) {
            LockSupport.unpark(thread);
        }
        return deadline;
    }

    /** Sleeps in the link until the next turn is due ({@link #nextTurnBy}) or {@code limit}, whichever is first. */
    private void sleepInLink(long limit) throws IOException {
        sleeper = Thread.currentThread();
        try {
            long deadline = Math.min(nextTurnBy, limit);
            sleeperDeadline = deadline;
            if (!requests.isEmpty()) {
                return;
            }
            long now = System.nanoTime();
            if (deadline == Nanos.NEVER) {
                link.await(-1);
            } else if (deadline > now) {
                link.await(deadline - now);
            }
        } finally {
            sleeperDeadline = Nanos.NEVER; // a turn meanwhile errs towards waking whoever sleeps next
            sleeper = null;
        }
    }

    /**
     * Parks the reactor out of the link while a leader waits in it, and for {@link #LINGER_NANOS}
     * after one left; true if it parked (then a turn is due: packets may wait, timers may be due).
     * While a leader leads, the leader runs the turns (timers included); the reactor looks again
     * after {@link #LEADER_PARK_NANOS}, doubled up to {@link #MAX_PARK_NANOS} while the same lead
     * lasts (a reader blocked for long), so that successive short leads (a request/response)
     * leave it out of the link and a long one does not keep waking it.
     */
    private boolean parkWhileLeadersLead() {
        long park = LEADER_PARK_NANOS;
        long sameLead = -1;
        boolean parked = false;
        while (running && requests.isEmpty()) {
            long now = System.nanoTime();
            long until;
            if (leader != null) {
                long lead = leads;
                park = lead == sameLead ? Math.min(park * 2, MAX_PARK_NANOS) : LEADER_PARK_NANOS;
                sameLead = lead;
                until = now + park;
            } else if (anyLeaderLeft && now - leaderLeftNanos < LINGER_NANOS) {
                until = Math.min(leaderLeftNanos + LINGER_NANOS, nextTurnBy);
            } else {
                return parked;
            }
            reactorParkedUntil = until;
            try {
                // Read after publishing: a request or an earlier deadline from now on unparks us.
                if (!requests.isEmpty() || !running || leader == null && nextTurnBy <= now) {
                    return true;
                }
                LockSupport.parkNanos(this, until - now);
                parked = true;
            } finally {
                reactorParkedUntil = 0;
            }
            if (leader == null && nextTurnBy - System.nanoTime() <= 0) {
                return true; // a timer is due and nobody leads to run it
            }
        }
        return true;
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
        LockSupport.unpark(thread);
        if (thread.isAlive() && Thread.currentThread() != thread && !inReactor()) {
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
     * @param turns       turns, wherever they ran
     * @param turnsElsewhere turns run for {@link #executeNow} on other threads than the reactor's
     * @param leads       times an application thread waited in the link in the reactor's place ({@link #lead})
     */
    public record DriverStats(long packetsIn, long packetsOut, long linkDropped, long turns, long turnsElsewhere,
            long leads) {}
}
