package org.mptcp4j.cc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The controllers of the subflows of one connection, whose windows a coupled algorithm links
 * (RFC 6356). Plain TCP uses a group of one. The MPTCP layer owns the group and removes a
 * member when its subflow closes; {@code cc} never imports {@code mptcp}: coupled algorithms read
 * their peers only through this group (window and smoothed RTT of each member).
 */
public final class CoupledGroup {
    private final List<CongestionController> members = new ArrayList<>(2);

    /** Adds a controller and returns it, so a factory can write {@code return group.join(new X())}. */
    public <T extends CongestionController> T join(T controller) {
        members.add(controller);
        return controller;
    }

    /** Removes a controller whose subflow has closed. */
    public void leave(CongestionController controller) {
        members.remove(controller);
    }

    /** The members, in the order they joined. */
    public List<CongestionController> members() {
        return Collections.unmodifiableList(members);
    }

    /** The sum of the members' congestion windows in bytes (RFC 6356 cwnd_total). */
    public long totalWindowBytes() {
        long sum = 0;
        for (CongestionController c : members) {
            sum += c.windowBytes();
        }
        return sum;
    }
}
