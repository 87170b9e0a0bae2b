package org.mptcp4j.sim.topo;

import java.time.Duration;
import org.mptcp4j.link.LinkSpec;
import org.mptcp4j.link.LossModel;
import org.mptcp4j.link.QueueLimit;

/**
 * One path of a testbed: its rate, one-way propagation delay, drop-tail queue limit, and random
 * loss in the forward direction (source to destination) and in the reverse direction (ACKs).
 */
public record PathSpec(long rateBps, long oneWayDelayNanos, QueueLimit queue, LossModel loss,
                       LossModel reverseLoss) {
    public PathSpec {
        if (rateBps <= 0 || oneWayDelayNanos < 0) {
            throw new IllegalArgumentException("rate must be positive and delay not negative");
        }
    }

    /** A lossless path with Linux's default queue of 1000 packets. */
    public static PathSpec of(long rateBps, Duration oneWayDelay) {
        return new PathSpec(rateBps, oneWayDelay.toNanos(), LinkSpec.DEFAULT_QUEUE, LossModel.NONE,
                LossModel.NONE);
    }

    public PathSpec withQueue(QueueLimit limit) {
        return new PathSpec(rateBps, oneWayDelayNanos, limit, loss, reverseLoss);
    }

    public PathSpec withLoss(LossModel forward) {
        return new PathSpec(rateBps, oneWayDelayNanos, queue, forward, reverseLoss);
    }

    public PathSpec withReverseLoss(LossModel reverse) {
        return new PathSpec(rateBps, oneWayDelayNanos, queue, loss, reverse);
    }

    public PathSpec withDelay(Duration oneWayDelay) {
        return new PathSpec(rateBps, oneWayDelay.toNanos(), queue, loss, reverseLoss);
    }

    /** The two-way propagation delay. */
    public long rttNanos() {
        return 2 * oneWayDelayNanos;
    }

    /** The link carrying the path's delay and loss in one direction. */
    LinkSpec link(LossModel model) {
        return LinkSpec.of(rateBps, oneWayDelayNanos).withQueue(queue).withLoss(model);
    }

    /** The access hop of the path: same rate and queue, no delay, no loss. */
    LinkSpec accessLink() {
        return LinkSpec.of(rateBps, 0).withQueue(queue);
    }

    /** {@link #accessLink()} with the path's delay: the hop from the source into the router in {@link Topologies#splitRouter}. */
    LinkSpec delayedAccessLink() {
        return LinkSpec.of(rateBps, oneWayDelayNanos).withQueue(queue);
    }

    /** {@link #link(LossModel)} without the delay: the hop from the router to the destination in {@link Topologies#splitRouter}. */
    LinkSpec undelayedLink(LossModel model) {
        return LinkSpec.of(rateBps, 0).withQueue(queue).withLoss(model);
    }
}
