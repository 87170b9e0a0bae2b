package org.mptcp4j.wire;

import java.util.List;

/**
 * What {@link TcpOptionPacker#pack} chose.
 *
 * @param packed the options to send, in wire order
 * @param notFitted the ones left out, for the caller to send later or drop
 * @param lengthBytes the option space {@code packed} takes, padding included (0..40, multiple of 4)
 */
public record PackResult(List<TcpOption> packed, List<TcpOption> notFitted, int lengthBytes) {
    public PackResult {
        packed = List.copyOf(packed);
        notFitted = List.copyOf(notFitted);
    }

    public boolean allFitted() {
        return notFitted.isEmpty();
    }
}
