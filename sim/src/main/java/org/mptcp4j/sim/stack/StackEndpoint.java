package org.mptcp4j.sim.stack;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.sim.Endpoint;
import org.mptcp4j.sim.HostContext;
import org.mptcp4j.sim.TransmitCompletion;
import org.mptcp4j.stack.DeviceCharge;
import org.mptcp4j.stack.Stack;
import org.mptcp4j.stack.StackConfig;
import org.mptcp4j.stack.StackEvent;
import org.mptcp4j.stack.Transmit;

/**
 * A simulated host's TCP stack: an {@link Endpoint} that owns a core {@link Stack} and drives it
 * by the sans-IO contract (packet in, timer, then drain transmits, reschedule, dispatch events to
 * the {@link Application}s running on the host).
 */
public final class StackEndpoint implements Endpoint {

    /** An application on the host: reacts to stack events by calling the stack. */
    public interface Application {
        /** The host is up: connect, listen. */
        default void onStart(StackEndpoint endpoint, long nowNanos) {}

        /** Every stack event, in order; applications pick out their own handles. */
        void onEvent(StackEndpoint endpoint, long nowNanos, StackEvent event);
    }

    /** With {@code -ea} (tests), the stack's invariants are checked on every 64th service round. */
    private static final boolean CHECK_INVARIANTS = StackEndpoint.class.desiredAssertionStatus();

    private final StackConfig config;
    private long serviceRounds;
    private final List<Application> applications = new ArrayList<>();
    private final ByteBuffer out = ByteBuffer.allocate(Stack.MAX_PACKET_BYTES);
    private HostContext host;
    private Stack stack;
    private boolean servicing;
    private boolean smallQueues;
    /** A data packet left the host's link: the stack may send more of that subflow's data. */
    private final TransmitCompletion transmitted = (charge, bytes) -> {
        if (stack.transmitted((DeviceCharge) charge, bytes)) {
            service(host.nowNanos());
        }
    };
    private long packetsIn;
    private long packetsOut;

    public StackEndpoint(StackConfig config) {
        this.config = config;
    }

    /**
     * With TCP Small Queues ({@link Stack#setSmallQueues}), as a Linux host has them: the host tells
     * the stack when each data packet has left its link's queue, and a sender whose own link is the
     * bottleneck keeps a couple of segments in that queue instead of filling it. Off by default:
     * the simulator's seeded scenarios were built without it. Call before attaching.
     */
    public StackEndpoint withSmallQueues() {
        smallQueues = true;
        return this;
    }

    /** Adds an application; started at once if the host is already up. */
    public StackEndpoint add(Application app) {
        applications.add(app);
        if (host != null) {
            app.onStart(this, host.nowNanos());
            service(host.nowNanos());
        }
        return this;
    }

    /** The stack (available once attached to a host). */
    public Stack stack() {
        if (stack == null) {
            throw new IllegalStateException("not attached to a host yet");
        }
        return stack;
    }

    public long packetsIn() {
        return packetsIn;
    }

    public long packetsOut() {
        return packetsOut;
    }

    @Override
    public void attach(HostContext h) {
        this.host = h;
        this.stack = new Stack(config, h.rng());
        // Software segmentation offload, as Linux's GSO: the stack builds a segment of up to 64 KB
        // once and the host cuts it into wire packets, each with its own headers and checksums; the
        // links still carry MTU-sized packets.
        stack.setSegmentationOffload(Stack.MAX_PACKET_BYTES);
        // Checksum offload, as over a veth: the TCP checksum is summed only where the bytes are
        // looked at (a capture, a corrupting link), not per packet between two stacks.
        stack.setChecksumOffload(true);
        stack.setSmallQueues(smallQueues);
        for (InetAddress a : h.addresses()) {
            stack.addAddress(a);
        }
        long now = h.nowNanos();
        for (Application app : List.copyOf(applications)) {
            app.onStart(this, now);
        }
        service(now);
    }

    @Override
    public void onPacket(long nowNanos, ByteBuffer ipPacket) {
        onPacket(nowNanos, ipPacket, false);
    }

    @Override
    public void onPacket(long nowNanos, ByteBuffer ipPacket, boolean checksumValidated) {
        packetsIn++;
        stack.handleInbound(nowNanos, ipPacket, checksumValidated);
        service(nowNanos);
    }

    /** The stack trusts a partial checksum from a peer stack, as Linux trusts a veth's. */
    @Override
    public boolean takesPartialChecksums() {
        return true;
    }

    @Override
    public void onWakeup(long nowNanos) {
        stack.handleTimeout(nowNanos);
        service(nowNanos);
    }

    /**
     * Drains transmits and events until both are empty (applications react to events with calls
     * that produce more), then asks the host to wake us at the stack's next deadline.
     */
    public void service(long nowNanos) {
        if (servicing) {
            return; // an application called in from an event; the outer loop drains
        }
        servicing = true;
        try {
            boolean progress;
            do {
                progress = false;
                Transmit t;
                while ((t = stack.pollTransmit(nowNanos, out.clear())) != null) {
                    out.flip();
                    packetsOut += t.charge() == null ? host.sendChecksumPartial(out, t.gsoSize())
                            : host.sendChecksumPartial(out, t.gsoSize(), transmitted, t.charge());
                    progress = true;
                }
                StackEvent e;
                while ((e = stack.pollEvent()) != null) {
                    // By index: an iterator per event was a visible share of what each packet allocates.
                    for (int i = 0; i < applications.size(); i++) {
                        applications.get(i).onEvent(this, nowNanos, e);
                    }
                    progress = true;
                }
            } while (progress);
            host.wakeAt(stack.pollTimeout());
            if (CHECK_INVARIANTS && (++serviceRounds & 63) == 0) {
                stack.checkInvariants();
            }
        } finally {
            servicing = false;
        }
    }
}
