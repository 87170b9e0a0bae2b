package org.mptcp4j.net.testbed;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * How to build a testbed: the link MTU and, per path, a rate limit applied with {@code tc} on both
 * ends of the path's veth pair (0 = unlimited) and a random loss applied where packets arrive from
 * the path; and whether the veths keep their segmentation offloads.
 *
 * @param id           the testbed's name part, a few lowercase letters or digits (namespace names derive from it)
 * @param mtu          MTU of the veths and the TUN device
 * @param rateABps     rate of path A in bit/s, 0 for unlimited
 * @param rateBBps     rate of path B in bit/s, 0 for unlimited
 * @param qdisc        {@code tbf} or {@code htb}
 * @param lossAPercent random loss on path A in percent, each direction (0 to 100, at most 4 decimals)
 * @param lossBPercent random loss on path B in percent, each direction
 * @param offload      true: the veths keep TSO, GSO (and GRO) as the kernel sets them up, so a 64 KB
 *                     super-segment crosses the path as one packet and one drop loses all of it;
 *                     false: {@code ethtool -K tso off gso off gro off}, one drop is one MTU-sized packet
 */
public record TestbedConfig(String id, int mtu, long rateABps, long rateBBps, String qdisc,
        double lossAPercent, double lossBPercent, boolean offload) {
    /** The loss threshold is compared with {@code numgen random mod LOSS_MODULUS}: parts per million. */
    public static final int LOSS_MODULUS = 1_000_000;

    public TestbedConfig {
        if (!id.matches("[a-z0-9]{1,8}")) {
            throw new IllegalArgumentException("testbed id must be 1..8 lowercase letters or digits: " + id);
        }
        if (mtu < 1280 || mtu > 65535) {
            throw new IllegalArgumentException("MTU out of range 1280..65535: " + mtu);
        }
        if (rateABps < 0 || rateBBps < 0) {
            throw new IllegalArgumentException("rates must be >= 0");
        }
        qdisc = qdisc.toLowerCase(Locale.ROOT);
        if (!qdisc.equals("tbf") && !qdisc.equals("htb")) {
            throw new IllegalArgumentException("qdisc must be tbf or htb: " + qdisc);
        }
        lossThreshold(lossAPercent);
        lossThreshold(lossBPercent);
    }

    /** Without loss, offload on. */
    public TestbedConfig(String id, int mtu, long rateABps, long rateBBps, String qdisc) {
        this(id, mtu, rateABps, rateBBps, qdisc, 0, 0, true);
    }

    public static TestbedConfig defaults(String id) {
        return new TestbedConfig(id, 1500, 0, 0, "tbf");
    }

    public TestbedConfig withRates(long rateABps, long rateBBps) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc, lossAPercent, lossBPercent, offload);
    }

    public TestbedConfig withMtu(int mtu) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc, lossAPercent, lossBPercent, offload);
    }

    public TestbedConfig withQdisc(String qdisc) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc, lossAPercent, lossBPercent, offload);
    }

    public TestbedConfig withLoss(double lossAPercent, double lossBPercent) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc, lossAPercent, lossBPercent, offload);
    }

    public TestbedConfig withOffload(boolean offload) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc, lossAPercent, lossBPercent, offload);
    }

    /**
     * The nftables threshold for a loss in percent: a packet is dropped when
     * {@code numgen random mod LOSS_MODULUS < threshold}.
     */
    public static int lossThreshold(double percent) {
        if (!(percent >= 0 && percent <= 100)) {
            throw new IllegalArgumentException("loss must be 0..100 percent: " + percent);
        }
        double ppm = percent * (LOSS_MODULUS / 100.0);
        long threshold = Math.round(ppm);
        if (Math.abs(ppm - threshold) > 1e-6) {
            throw new IllegalArgumentException("loss takes at most 4 decimals (parts per million): " + percent);
        }
        return (int) threshold;
    }

    /** Parses a loss like {@code 1}, {@code 0.5} or {@code 2%} into percent. */
    public static double parseLoss(String text) {
        String t = text.strip();
        if (t.endsWith("%")) {
            t = t.substring(0, t.length() - 1).strip();
        }
        double v;
        try {
            v = Double.parseDouble(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a loss in percent (e.g. 1, 0.5): " + text);
        }
        lossThreshold(v);
        return v;
    }

    /** {@code 1 %}, {@code 0.25 %}, {@code 0 %}. */
    public static String formatLoss(double percent) {
        return BigDecimal.valueOf(percent).stripTrailingZeros().toPlainString() + " %";
    }

    /** Parses rates like {@code 1gbit}, {@code 100mbit}, {@code 500kbit}, {@code 0} or {@code unlimited}. */
    public static long parseRate(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("unlimited") || t.equals("0")) {
            return 0;
        }
        long factor = 1;
        String number = t;
        for (String[] unit : new String[][] {{"gbit", "1000000000"}, {"mbit", "1000000"}, {"kbit", "1000"}, {"bit", "1"}}) {
            if (t.endsWith(unit[0])) {
                factor = Long.parseLong(unit[1]);
                number = t.substring(0, t.length() - unit[0].length());
                break;
            }
        }
        try {
            double value = Double.parseDouble(number);
            if (value < 0) {
                throw new IllegalArgumentException("negative rate: " + text);
            }
            return Math.round(value * factor);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a rate (e.g. 1gbit, 100mbit, unlimited): " + text);
        }
    }

    public static String formatRate(long bps) {
        if (bps == 0) {
            return "unlimited";
        }
        if (bps % 1_000_000_000L == 0) {
            return bps / 1_000_000_000L + "gbit";
        }
        if (bps % 1_000_000L == 0) {
            return bps / 1_000_000L + "mbit";
        }
        if (bps % 1_000L == 0) {
            return bps / 1_000L + "kbit";
        }
        return bps + "bit";
    }
}
