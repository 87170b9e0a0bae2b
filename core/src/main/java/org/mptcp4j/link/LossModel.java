package org.mptcp4j.link;

import org.mptcp4j.base.Rng;

/**
 * How a link loses packets at random after serializing them. A model is a value; each link builds
 * its own {@link Process} from it with the link's own {@link Rng}.
 */
public sealed interface LossModel {
    /** Per-packet decision, with state for bursty models. */
    interface Process {
        /** Whether the packet now leaving the queue is lost; called once per packet. */
        boolean lose();
    }

    Process newProcess(Rng rng);

    /** The long-run fraction of packets lost. */
    double meanLossRate();

    LossModel NONE = new None();

    static LossModel bernoulli(double lossProbability) {
        return lossProbability == 0 ? NONE : new Bernoulli(lossProbability);
    }

    /** Never loses. */
    record None() implements LossModel {
        @Override
        public Process newProcess(Rng rng) {
            return () -> false;
        }

        @Override
        public double meanLossRate() {
            return 0;
        }
    }

    /** Each packet is lost independently with probability {@code p}. */
    record Bernoulli(double p) implements LossModel {
        public Bernoulli {
            checkProbability("p", p);
        }

        @Override
        public Process newProcess(Rng rng) {
            return () -> rng.chance(p);
        }

        @Override
        public double meanLossRate() {
            return p;
        }
    }

    /**
     * The Gilbert-Elliott two-state channel: in state Good a packet is lost with probability
     * {@code lossInGood}, in state Bad with {@code lossInBad}; after each packet the channel moves
     * Good to Bad with probability {@code goodToBad} and Bad to Good with {@code badToGood}. Losses
     * come in bursts whose mean length in Bad is {@code 1 / badToGood} packets. The channel starts
     * in Good.
     */
    record GilbertElliott(double goodToBad, double badToGood, double lossInGood, double lossInBad)
            implements LossModel {
        public GilbertElliott {
            checkProbability("goodToBad", goodToBad);
            checkProbability("badToGood", badToGood);
            checkProbability("lossInGood", lossInGood);
            checkProbability("lossInBad", lossInBad);
            if (goodToBad + badToGood == 0) {
                throw new IllegalArgumentException("the chain must be able to change state");
            }
        }

        /** The classic Gilbert model: no loss in Good, every packet lost in Bad. */
        public static GilbertElliott gilbert(double goodToBad, double badToGood) {
            return new GilbertElliott(goodToBad, badToGood, 0, 1);
        }

        /** The stationary probability of state Bad. */
        public double badFraction() {
            return goodToBad / (goodToBad + badToGood);
        }

        @Override
        public double meanLossRate() {
            double bad = badFraction();
            return (1 - bad) * lossInGood + bad * lossInBad;
        }

        @Override
        public Process newProcess(Rng rng) {
            return new Process() {
                private boolean bad;

                @Override
                public boolean lose() {
                    boolean lost = rng.chance(bad ? lossInBad : lossInGood);
                    bad = bad ? !rng.chance(badToGood) : rng.chance(goodToBad);
                    return lost;
                }
            };
        }
    }

    private static void checkProbability(String name, double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(name + " must be a probability: " + p);
        }
    }
}
