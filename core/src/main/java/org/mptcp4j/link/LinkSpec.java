package org.mptcp4j.link;

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
 * <p>The link carries IP packets of at most {@code mtu} bytes (the IP packet, as Linux's
 * interface MTU counts it); a larger packet is refused as it arrives and counted in
 * {@code org.mptcp4j.sim.LinkCounters.mtuDrops()}. The simulator's {@code Router} checks the MTU of the link it forwards to
 * first and answers a packet that may not be fragmented with an ICMP error (path MTU discovery,
 * RFC 1191 and RFC 8201); fragmentation itself is not modelled.
 *
 * @param rateBps                bits per second; {@code Long.MAX_VALUE} for no serialization delay
 * @param delayNanos             one-way propagation delay
 * @param queue                  the drop-tail queue's limit
 * @param loss                   random loss after serialization
 * @param corruptProbability     per packet, one bit flipped after the IP header
 * @param duplicateProbability   per packet, a second copy delivered
 * @param reorderProbability     per packet, extra delay
 * @param reorderExtraDelayNanos the extra delay of a reordered packet
 * @param mtu                    the largest IP packet in bytes the link carries
 */
public record LinkSpec(long rateBps, long delayNanos, QueueLimit queue, LossModel loss,
                       double corruptProbability, double duplicateProbability,
                       double reorderProbability, long reorderExtraDelayNanos, int mtu) {

    /** Linux's default {@code txqueuelen}. */
    public static final QueueLimit DEFAULT_QUEUE = QueueLimit.packets(1000);
    /** Ethernet's MTU (RFC 894), the default of every link. */
    public static final int DEFAULT_MTU = 1500;
    /** The smallest MTU IPv4 allows (RFC 791: every module must forward a 68-byte datagram). */
    public static final int MIN_MTU = 68;
    /** Largest IP packet (IPv4 total length and IPv6 payload length are 16-bit). */
    public static final int MAX_MTU = 65_535 + 40;

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
        if (mtu < MIN_MTU || mtu > MAX_MTU) {
            throw new IllegalArgumentException("MTU out of range: " + mtu);
        }
    }

    public static LinkSpec of(long rateBps, long delayNanos) {
        return new LinkSpec(rateBps, delayNanos, DEFAULT_QUEUE, LossModel.NONE, 0, 0, 0, 0, DEFAULT_MTU);
    }

    public static LinkSpec of(long rateBps, Duration delay) {
        return of(rateBps, delay.toNanos());
    }

    public LinkSpec withRate(long bps) {
        return new LinkSpec(bps, delayNanos, queue, loss, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withDelay(Duration delay) {
        return new LinkSpec(rateBps, delay.toNanos(), queue, loss, corruptProbability,
                duplicateProbability, reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withQueue(QueueLimit limit) {
        return new LinkSpec(rateBps, delayNanos, limit, loss, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withLoss(LossModel model) {
        return new LinkSpec(rateBps, delayNanos, queue, model, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withCorruption(double probability) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, probability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withDuplication(double probability) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, corruptProbability, probability,
                reorderProbability, reorderExtraDelayNanos, mtu);
    }

    public LinkSpec withReordering(double probability, Duration extraDelay) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, corruptProbability, duplicateProbability,
                probability, extraDelay.toNanos(), mtu);
    }

    /**
     * The largest IP packet the link carries, e.g. 1280 for a path that only IPv6's minimum
     * (RFC 8200 section 5) gets through, or 9000 for jumbo frames.
     */
    public LinkSpec withMtu(int bytes) {
        return new LinkSpec(rateBps, delayNanos, queue, loss, corruptProbability, duplicateProbability,
                reorderProbability, reorderExtraDelayNanos, bytes);
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
