package org.mptcp4j.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Packets handed between pools, as between the partitions of a {@link ParallelSimulation}. */
class PacketPoolTest {

    @Test
    void aPacketTakenOver_isTheReceiversCopy_underTheSameName_andTheOriginalIsFreed() {
        PacketPool sender = new PacketPool();
        PacketPool receiver = new PacketPool();
        receiver.acquire(60); // the receiver's own numbering moves on independently
        byte[] bytes = new byte[1500];
        Arrays.fill(bytes, (byte) 0x5a);
        bytes[0] = 0x45;
        Packet sent = sender.copyOf(ByteBuffer.wrap(bytes));
        sent.linkGeneration = 3;
        sent.checksumValidated = true;
        sent.partialChecksumAt = 20;

        Packet taken = receiver.takeOver(sent);

        assertThat(taken).isNotSameAs(sent);
        assertThat(taken.home).isSameAs(receiver);
        assertThat(Arrays.copyOf(taken.data(), taken.length())).isEqualTo(bytes);
        assertThat(taken.uid()).as("traces name it as the sender did").isEqualTo(sent.uid());
        assertThat(taken.linkGeneration).isEqualTo(3);
        assertThat(taken.checksumValidated).isTrue();
        assertThat(taken.partialChecksumAt).isEqualTo(20);
        assertThat(sent.free).as("the original is released at once").isTrue();
        assertThat(receiver.acquire(60).uid()).as("taking over used none of the receiver's uids").isEqualTo(1);
    }
}
