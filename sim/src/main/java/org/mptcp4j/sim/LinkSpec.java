package org.mptcp4j.sim;

import java.time.Duration;

/**
 * Everything that describes one direction of a link, as a value with fluent withers:
 * {@code LinkSpec.of(100_000_000, Duration.ofMillis(10)).withQueue(QueueLimit.packets(100))
 * .withLoss(LossModel.bernoulli(0.01))}.
 *
 * <p>A packet spends its serialization time ({@code 8 * bytes / rateBps}, rounded up to the
 * nanosecond) in the queue's server, then {@code delayNanos} on the wire. After serialization the
 * impairments apply in this order, each drawn from the link's own generator: random loss, bit
 * corruption ({@code corruptProbability}), duplication ({@code duplicateProbability}, the copy
 * arrives right behind the original) and reordering ({@code reorderProbability}, the packet takes
 * {@code reorderExtraDelayNanos} longer, so packets sent after it overtake it).
 *
 * @param rateBps                bits per second; {@code Long.MAX_VALUE} for no serialization delay
 * @param delayNanos             one-way propagation delay
 * @param queue                  the drop-tail queue's limit
 * @param loss                   random loss after serialization
 * @param corruptProbability     per packet, one bit flipped after the IP header
 * @param duplicateProbability   per packet, a second copy delivered
 * @param reorderProbability     per packet, extra delay
 * @param reorderExtraDelayNanos the extra delay of a reordered packet
 */
public record LinkSpec(long rateBps, long delayNanos, QueueLimit queue, LossModel loss,
                       double corruptProbability, double duplicateProbability,
                       double reorderProbability, long reorderExtraDelayNanos) {

    /** Linux's default {@code txqueuelen}. */
    public static final QueueLimit DEFAULT_QUEUE = QueueLimit.packets(1000);

    public LinkSpec {
        if (rateBps <= 0) {
            throw new IllegalArgumentException("rate must be positive: " + rateBps);
        }
        if (delayNanos < 0 || reorderExtraDelayNanos < 0) {
            throw new IllegalArgumentException("delays must not be negative");
        }
        checkProbability(corruptProbability);
        checkProbability(duplicateProbability);
        checkProbability(reorderProbability);
    }

    public static LinkSpec of(long rateBps, long delayNanos) {
        return new LinkSpec(rateBps, delayNanos, DEFAULT_QUEUE, LossModel.NONE, 0, 0, 0, 0);
    }

    public static LinkSpec of(long rateBps, Duration delay) {
        return of(rateBps, delay.toNanos());
    }

    public LinkSpec withRate(long bps) {
        return new LinkSpec(bps, delayNanos, queue, loss, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withDelay(Duration delay) {
        return new LinkSpec(rateBps, delay.toNanos(), queue, loss, corruptProbability,
                duplicateProbability, reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withQueue(QueueLimit limit) {
        return new LinkSpec(rateBps, delayNanos, limit, loss, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withLoss(LossModel model) {
        return new LinkSpec(rateBps, delayNanos, queue, model, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withCorruption(double probability) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, probability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withDuplication(double probability) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, corruptProbability, probability,
                reorderProbability, reorderExtraDelayNanos);
    }

    public LinkSpec withReordering(double probability, Duration extraDelay) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, corruptProbability, duplicateProbability,
                probability, extraDelay.toNanos());
    }

    /** Nanoseconds to put {@code bytes} on the wire at this rate, rounded up. */
    public long serializationNanos(int bytes) {
        if (rateBps == Long.MAX_VALUE) {
            return 0;
        }
        return Math.ceilDiv(bytes * 8L * 1_000_000_000L, rateBps);
    }

    private static void checkProbability(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("not a probability: " + p);
        }
    }
}
