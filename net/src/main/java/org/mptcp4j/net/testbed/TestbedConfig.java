package org.mptcp4j.net.testbed;

import java.util.Locale;

/**
 * How to build a testbed: the link MTU and, per path, a rate limit applied with {@code tc} on both
 * ends of the path's veth pair (0 = unlimited).
 *
 * @param id         the testbed's name part, a few lowercase letters or digits (namespace names derive from it)
 * @param mtu        MTU of the veths and the TUN device
 * @param rateABps   rate of path A in bit/s, 0 for unlimited
 * @param rateBBps   rate of path B in bit/s, 0 for unlimited
 * @param qdisc      {@code tbf} or {@code htb}
 */
public record TestbedConfig(String id, int mtu, long rateABps, long rateBBps, String qdisc) {
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
    }

    public static TestbedConfig defaults(String id) {
        return new TestbedConfig(id, 1500, 0, 0, "tbf");
    }

    public TestbedConfig withRates(long rateABps, long rateBBps) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc);
    }

    public TestbedConfig withMtu(int mtu) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc);
    }

    public TestbedConfig withQdisc(String qdisc) {
        return new TestbedConfig(id, mtu, rateABps, rateBBps, qdisc);
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
