package org.mptcp4j.net.interop;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.BeforeAll;
import org.mptcp4j.net.tun.TunLink;

/**
 * {@link TunKernelInterop} with GSO out and receive offload in ({@code TUNSETOFFLOAD}): the kernel's
 * TSO bursts reach the stack as super-segments of up to 64 KB, and the SHA-256 checks of every test
 * prove that the stack took them whole and correctly.
 */
class TunKernelOffloadInteropTest extends TunKernelInterop {
    @BeforeAll
    static void up() throws Exception {
        start(true, true);
    }

    @Override
    void checkReceivePath(TunLink link) {
        assertThat(link.superPacketsReceived()).as("TSO/GRO super-segments handed to the stack").isPositive();
        assertThat(link.superPacketBytesReceived())
                .as("super-segments are larger than the 1500-byte MTU")
                .isGreaterThan(1500 * link.superPacketsReceived());
    }
}
