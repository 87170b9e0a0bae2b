package org.mptcp4j.mptcp;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A snapshot of a connection's receive-buffer tuning (the paper's section 4.1), beside
 * {@link MptcpInfo}: the window the connection offers, the tuner's target
 * {@code 2 * sum(BW_i) * RTT_max} and what went into it.
 *
 * @param windowBytes the connection-level window the buffer offers now
 * @param maxBytes the most autotuning may grow it to (tcp_rmem[2]); equal to the window when autotuning is off
 * @param targetBytes {@code 2 * sum(BW_i) * RTT_max} at the tuner's last update; 0 when autotuning is off
 * @param rttMaxNanos RTT_max at that update
 * @param capped the target exceeded {@code maxBytes} at that update
 * @param paths one line per subflow: BW_i, its receiver RTT, whether it was flagged as the slowest
 */
public record ReceiveBufferInfo(int windowBytes, int maxBytes, long targetBytes, long rttMaxNanos, boolean capped,
        List<Path> paths) {

    /**
     * @param bytesPerSecond BW_i: what the subflow brought to the data level over the last interval of RTT_max
     * @param rttNanos the receiver's RTT of the subflow (timestamps), else its SRTT
     * @param flaggedSlow named the slowest path when the cap began to bind
     */
    public record Path(InetSocketAddress local, InetSocketAddress remote, double bytesPerSecond, long rttNanos,
            boolean flaggedSlow) {}
}
