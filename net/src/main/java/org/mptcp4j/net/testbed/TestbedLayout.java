package org.mptcp4j.net.testbed;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The names and addresses of one testbed, after the paper's Fig. 3: two disjoint paths between the
 * host running mptcp4j and the host running the Linux kernel. Everything lives inside two network
 * namespaces; all addresses are from the benchmarking range 198.18.0.0/15 (RFC 2544).
 *
 * <pre>
 *   namespace mptcp4j-ID                                         namespace kernel-ID
 *  +--------------------------------------+                    +---------------------------+
 *  | mptcp4j stack (TUN m4j0)             |   path A (veth)    |                           |
 *  |   198.18.1.1 ---+   pa-m 198.18.1.254+====================+pa-k 198.18.1.2            |
 *  |                 | router             |   tc tbf/htb       |        Linux TCP / MPTCP  |
 *  |   198.18.2.1 ---+   pb-m 198.18.2.254+====================+pb-k 198.18.2.2            |
 *  |                                      |   path B (veth)    |   endpoints: signal subflow|
 *  +--------------------------------------+                    +---------------------------+
 * </pre>
 *
 * <p>The mptcp4j-side namespace is a router between its TUN device and the two veths. Policy rules
 * send everything from mptcp4j's address {@code 198.18.1.1} over path A and from {@code 198.18.2.1}
 * over path B, and the kernel side routes each of those addresses back over the same path, so a
 * subflow takes the path of its mptcp4j-side address; except that the kernel's B address
 * ({@code 198.18.2.2}) is always reached over path B and sends over path B, so a subflow between
 * mptcp4j's A address and the kernel's B address (a kernel join from its B endpoint, or a join to
 * the kernel's announced B address) takes path B both ways. The router's own addresses ({@code .254}) let
 * the kernel in the mptcp4j namespace be the reference peer (kernel-to-kernel) over the very same
 * links.
 *
 * <p>The testbed is dual-stack: each of these addresses has an IPv6 twin from the benchmarking range
 * 2001:2::/48 (RFC 5180), path A in {@code 2001:2:0:1::/64} and path B in {@code 2001:2:0:2::/64},
 * with the same last number ({@code .254} becomes {@code ::fe}), and the same routing: a subflow
 * takes the path of its mptcp4j-side address, and the kernel's B address is reached, and sends,
 * over path B.
 */
public record TestbedLayout(String id) {
    public static final String TUN = "m4j0";
    public static final String PATH_A_LOCAL_IF = "pa-m";
    public static final String PATH_A_KERNEL_IF = "pa-k";
    public static final String PATH_B_LOCAL_IF = "pb-m";
    public static final String PATH_B_KERNEL_IF = "pb-k";

    /** Prefix of every namespace a testbed creates, so leftovers are easy to find. */
    public static final String MPTCP4J_NS_PREFIX = "mptcp4j-";
    public static final String KERNEL_NS_PREFIX = "kernel-";

    public String mptcp4jNamespace() {
        return MPTCP4J_NS_PREFIX + id;
    }

    public String kernelNamespace() {
        return KERNEL_NS_PREFIX + id;
    }

    /** mptcp4j's own address on path A (the TUN side). */
    public InetAddress mptcp4jAddressA() {
        return ip("198.18.1.1");
    }

    public InetAddress mptcp4jAddressB() {
        return ip("198.18.2.1");
    }

    /** The kernel's address on path A. */
    public InetAddress kernelAddressA() {
        return ip("198.18.1.2");
    }

    public InetAddress kernelAddressB() {
        return ip("198.18.2.2");
    }

    /** The kernel in the mptcp4j namespace (the router) on path A: the reference peer. */
    public InetAddress routerAddressA() {
        return ip("198.18.1.254");
    }

    public InetAddress routerAddressB() {
        return ip("198.18.2.254");
    }

    /** mptcp4j's IPv6 address on path A ({@code 2001:2:0:1::1}), the twin of {@link #mptcp4jAddressA()}. */
    public InetAddress mptcp4jAddressA6() {
        return ip("2001:2:0:1::1");
    }

    public InetAddress mptcp4jAddressB6() {
        return ip("2001:2:0:2::1");
    }

    public InetAddress kernelAddressA6() {
        return ip("2001:2:0:1::2");
    }

    public InetAddress kernelAddressB6() {
        return ip("2001:2:0:2::2");
    }

    public InetAddress routerAddressA6() {
        return ip("2001:2:0:1::fe");
    }

    public InetAddress routerAddressB6() {
        return ip("2001:2:0:2::fe");
    }

    /** The addresses of one family: the IPv4 ones ({@code false}) or their IPv6 twins. */
    public Family family(boolean ipv6) {
        return ipv6 ? new Family(6, 64, mptcp4jAddressA6(), mptcp4jAddressB6(), kernelAddressA6(), kernelAddressB6(),
                routerAddressA6(), routerAddressB6())
                : new Family(4, 24, mptcp4jAddressA(), mptcp4jAddressB(), kernelAddressA(), kernelAddressB(),
                        routerAddressA(), routerAddressB());
    }

    /** The six addresses of one family, its version (4 or 6) and the prefix length of the path subnets. */
    public record Family(int version, int prefixLength, InetAddress mptcp4jA, InetAddress mptcp4jB, InetAddress kernelA,
            InetAddress kernelB, InetAddress routerA, InetAddress routerB) {
        /** The length of a host prefix: 32 or 128. */
        public int hostPrefixLength() {
            return version == 4 ? 32 : 128;
        }
    }

    private static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
