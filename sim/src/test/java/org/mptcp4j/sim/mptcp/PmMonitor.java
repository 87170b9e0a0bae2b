package org.mptcp4j.sim.mptcp;

import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Nanos;
import org.mptcp4j.mptcp.PmEvent;
import org.mptcp4j.sim.Simulation;
import org.mptcp4j.sim.stack.StackEndpoint;

/**
 * Test fixture: a program listening to one host's path-manager events, as {@code ip mptcp monitor}
 * or mptcpd listens on netlink. It turns the stack's monitor on and polls it every millisecond of
 * network time, keeping every event and handing each to {@link Handler} (which may give the stack
 * commands; what they send leaves at once).
 */
final class PmMonitor {
    private static final long POLL_NANOS = Nanos.ofMillis(1);

    interface Handler {
        void on(PmEvent event, long nowNanos);
    }

    private final Simulation sim;
    private final StackEndpoint end;
    private final Handler handler;
    final List<PmEvent> events = new ArrayList<>();

    PmMonitor(Simulation sim, StackEndpoint end, Handler handler) {
        this.sim = sim;
        this.end = end;
        this.handler = handler;
        end.stack().setPmMonitor(true);
        sim.schedule(POLL_NANOS, this::poll, null);
    }

    PmMonitor(Simulation sim, StackEndpoint end) {
        this(sim, end, (e, now) -> { });
    }

    private void poll(long now, Object arg) {
        for (PmEvent e = end.stack().pollPmEvent(); e != null; e = end.stack().pollPmEvent()) {
            events.add(e);
            handler.on(e, now);
            end.service(now);
        }
        sim.schedule(now + POLL_NANOS, this::poll, null);
    }

    /** The event types seen, in order. */
    List<PmEvent.Type> types() {
        return events.stream().map(PmEvent::type).toList();
    }

    /** The monitor's lines, as {@code ip mptcp monitor} would print them, for failure messages. */
    String lines() {
        StringBuilder b = new StringBuilder();
        events.forEach(e -> b.append("\n  ").append(e.toMonitorLine()));
        return b.toString();
    }
}
