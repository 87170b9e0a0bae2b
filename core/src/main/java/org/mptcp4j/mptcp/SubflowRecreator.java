package org.mptcp4j.mptcp;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.mptcp4j.base.Nanos;

/**
 * The subflows a connection is to open again ({@link SubflowRecreation}): for each local and
 * remote address pair that failed, the wait before the next attempt and when that is due. An
 * attempt in progress keeps its entry (no deadline) so that its failure doubles the wait; its
 * establishment drops it.
 */
final class SubflowRecreator {
    private final SubflowRecreation policy;
    private final List<Pending> pending = new ArrayList<>(2);

    /** One pair to open again. */
    static final class Pending {
        final InetAddress local;
        final int localId;
        final InetSocketAddress remote;
        final boolean backup;
        long delayNanos;
        long deadline = Nanos.NEVER;

        Pending(InetAddress local, int localId, InetSocketAddress remote, boolean backup, long delayNanos) {
            this.local = local;
            this.localId = localId;
            this.remote = remote;
            this.backup = backup;
            this.delayNanos = delayNanos;
        }
    }

    SubflowRecreator(SubflowRecreation policy) {
        this.policy = policy;
    }

    boolean enabled() {
        return policy.enabled();
    }

    /**
     * A subflow from {@code local} to {@code remote} failed at {@code nowNanos}: the next attempt
     * waits the first delay, or twice the last one if it was an attempt that failed.
     */
    void onFailed(InetAddress local, int localId, InetSocketAddress remote, boolean backup, long nowNanos) {
        Pending p = find(local, remote);
        if (p == null) {
            p = new Pending(local, localId, remote, backup, policy.firstDelayNanos());
            pending.add(p);
            p.deadline = nowNanos + p.delayNanos;
        } else if (p.deadline == Nanos.NEVER) {
            backOff(p, nowNanos);
        } // else already waiting
    }

    /** Whether {@code local} to {@code remote} is one this tracker opened again (or is to). */
    boolean tracks(InetAddress local, InetSocketAddress remote) {
        return find(local, remote) != null;
    }

    /** A subflow from {@code local} to {@code remote} is established: the pair is whole again. */
    void onEstablished(InetAddress local, InetSocketAddress remote) {
        pending.removeIf(p -> p.local.equals(local) && p.remote.equals(remote));
    }

    long nextDeadline() {
        long d = Nanos.NEVER;
        for (int i = 0; i < pending.size(); i++) { // by index: asked at every re-arm of the connection's timer
            d = Math.min(d, pending.get(i).deadline);
        }
        return d;
    }

    /** The pairs due at {@code nowNanos}; each is marked as an attempt in progress. */
    List<Pending> due(long nowNanos) {
        List<Pending> out = new ArrayList<>(1);
        for (Pending p : pending) {
            if (p.deadline <= nowNanos) {
                p.deadline = Nanos.NEVER;
                out.add(p);
            }
        }
        return out;
    }

    /** An attempt could not even start (limits, no port): wait again, longer. */
    void onNotStarted(Pending p, long nowNanos) {
        backOff(p, nowNanos);
    }

    /** The next attempt waits twice as long as the last, at most the policy's maximum. */
    private void backOff(Pending p, long nowNanos) {
        p.delayNanos = Math.min(2 * p.delayNanos, policy.maxDelayNanos());
        p.deadline = nowNanos + p.delayNanos;
    }

    /** The connection is ending: nothing more to open. */
    void clear() {
        pending.clear();
    }

    private Pending find(InetAddress local, InetSocketAddress remote) {
        for (Pending p : pending) {
            if (p.local.equals(local) && p.remote.equals(remote)) {
                return p;
            }
        }
        return null;
    }
}
