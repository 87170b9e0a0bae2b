package org.mptcp4j.cc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * The controllers of the subflows of one connection, whose windows a coupled algorithm links
 * (RFC 6356). Plain TCP uses a group of one. The MPTCP layer owns the group and removes a
 * member when its subflow closes; {@code cc} never imports {@code mptcp}: coupled algorithms read
 * their peers only through this group (window and smoothed RTT of each member).
 */
public final class CoupledGroup {
    private final List<CongestionController> members = new ArrayList<>(2);
    /**
     * Counts the changes a coupled algorithm's shared terms depend on: a member joined or left, or
     * a coupled member's window changed. LIA recomputes alpha when it moved (Linux
     * {@code mptcp_coupled.c} recomputes it on the same events), not on every ACK.
     */
    private long generation;
    /** The algorithm this connection's subflows run instead of the stack's, if one was chosen for it. */
    private ControllerFactory factory;

    /**
     * Chooses the algorithm every subflow of this connection runs, instead of the stack's (Linux:
     * the {@code TCP_CONGESTION} socket option). Only before the first subflow has a controller:
     * a connection does not change algorithm midway.
     *
     * @throws IllegalStateException when a controller has already joined
     */
    public CoupledGroup use(ControllerFactory value) {
        if (!members.isEmpty()) {
            throw new IllegalStateException("congestion control chosen after a subflow started: " + members);
        }
        factory = value;
        return this;
    }

    /** The algorithm chosen for this connection by {@link #use}, if any; otherwise the stack's applies. */
    public Optional<ControllerFactory> factory() {
        return Optional.ofNullable(factory);
    }

    /** Adds a controller and returns it, so a factory can write {@code return group.join(new X())}. */
    public <T extends CongestionController> T join(T controller) {
        members.add(controller);
        generation++;
        return controller;
    }

    /** Removes a controller whose subflow has closed. */
    public void leave(CongestionController controller) {
        members.remove(controller);
        generation++;
    }

    /** The members, in the order they joined. */
    public List<CongestionController> members() {
        return Collections.unmodifiableList(members);
    }

    /** The number of members (for loops on the ACK path, which must not allocate). */
    public int size() {
        return members.size();
    }

    /** The member at {@code index}, in the order they joined. */
    public CongestionController member(int index) {
        return members.get(index);
    }

    /** A coupled member's window changed (grew, was reduced, restored or restarted). */
    public void onWindowChanged() {
        generation++;
    }

    /** Moves whenever a member joins, leaves or reports a window change; equal values mean nothing changed. */
    public long generation() {
        return generation;
    }

    /** The sum of the members' congestion windows in bytes (RFC 6356 cwnd_total). */
    public long totalWindowBytes() {
        long sum = 0;
        for (int i = 0; i < members.size(); i++) {
            sum += members.get(i).windowBytes();
        }
        return sum;
    }
}
