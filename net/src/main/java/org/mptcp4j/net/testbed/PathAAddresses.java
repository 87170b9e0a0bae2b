package org.mptcp4j.net.testbed;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * More addresses on path A of a running testbed, so that several subflows share its bottleneck:
 * Linux's in-kernel path manager opens at most one subflow per local endpoint towards one remote
 * address, and mptcp4j's follows it, so N subflows over one path need N local addresses on it (the
 * paper's CPU test used N subflows over one gigabit link). Each side gets its own:
 * <ul>
 *   <li>mptcp4j, behind the TUN: {@code 198.18.1.11} onwards, routed like {@code 198.18.1.1}
 *       (a route to the TUN and a policy rule into path A's table in {@code mptcp4j-ID}, a route
 *       back over path A in {@code kernel-ID});</li>
 *   <li>the router's kernel (the kernel-to-kernel reference): {@code 198.18.1.201} onwards, on
 *       {@code pa-m} itself, so the kernel side reaches them on its path-A link.</li>
 * </ul>
 * They live in the testbed's namespaces and go with them ({@link Testbed#down}).
 */
public final class PathAAddresses {
    /** Linux's limit of additional subflows per connection (and mptcp4j's, {@code Limits.MAX}). */
    public static final int MAX_EXTRA = 8;

    private PathAAddresses() {}

    /** Adds {@code count} addresses for mptcp4j on path A and returns them. */
    public static List<InetAddress> addForMptcp4j(Testbed t, int count) throws IOException {
        TestbedLayout l = t.layout();
        List<InetAddress> added = new ArrayList<>();
        for (int i = 1; i <= check(count); i++) {
            String a = "198.18.1." + (10 + i);
            Shell.run("ip", "-n", l.mptcp4jNamespace(), "route", "add", a + "/32", "dev", TestbedLayout.TUN);
            Shell.run("ip", "-n", l.mptcp4jNamespace(), "rule", "add", "from", a, "table", "101");
            Shell.run("ip", "-n", l.kernelNamespace(), "route", "add", a + "/32",
                    "via", l.routerAddressA().getHostAddress(), "dev", TestbedLayout.PATH_A_KERNEL_IF);
            added.add(ip(a));
        }
        return added;
    }

    /** Adds {@code count} addresses to the router's path-A veth ({@code pa-m}) and returns them. */
    public static List<InetAddress> addForRouter(Testbed t, int count) throws IOException {
        List<InetAddress> added = new ArrayList<>();
        for (int i = 1; i <= check(count); i++) {
            String a = "198.18.1." + (200 + i);
            Shell.run("ip", "-n", t.layout().mptcp4jNamespace(), "addr", "add", a + "/32", "dev", TestbedLayout.PATH_A_LOCAL_IF);
            added.add(ip(a));
        }
        return added;
    }

    private static int check(int count) {
        if (count < 0 || count > MAX_EXTRA) {
            throw new IllegalArgumentException("0 to " + MAX_EXTRA + " extra addresses: " + count);
        }
        return count;
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
