package org.mptcp4j.cli.iperf3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** iperf3's control bytes: the cookie, state bytes, length-prefixed JSON, and what a broken peer sends. */
class ControlChannelTest {

    @Test
    void cookie_is36CharactersOfIperf3sAlphabetAndANul() throws IOException {
        String cookie = ControlChannel.newCookie(new SecureRandom());
        assertThat(cookie).hasSize(36).matches("[a-z2-7]{36}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlChannel.writeCookie(out, cookie);
        byte[] wire = out.toByteArray();
        assertThat(wire).hasSize(37);
        assertThat(wire[36]).isZero();
        assertThat(ControlChannel.readCookie(new ByteArrayInputStream(wire))).isEqualTo(cookie);
    }

    @Test
    void cookie_shortConnection_isEndOfStreamNotACookie() {
        assertThatThrownBy(() -> ControlChannel.readCookie(new ByteArrayInputStream(new byte[10])))
                .isInstanceOf(java.io.EOFException.class);
    }

    @Test
    void params_asIperf3sClientSendsThem_parse() throws IOException {
        // What iperf3 3.12 -c -t 1 --bidir wrote, byte for byte (strace of the real client).
        String json = "{\"tcp\":true,\"omit\":0,\"time\":1,\"num\":0,\"blockcount\":0,\"parallel\":1,\"bidirectional\":true,"
                + "\"len\":131072,\"pacing_timer\":1000,\"client_version\":\"3.12\"}";
        ControlChannel c = channel(lengthPrefixed(json));
        TestSettings.Parsed p = TestSettings.parse(c.readJson());
        assertThat(p).isEqualTo(new TestSettings.Parsed.Ok(new TestSettings(1, 0, 0, 1, false, true, 131072, 0, "3.12")));
    }

    @Test
    void state_unknownByte_isAProtocolError() {
        assertThatThrownBy(() -> channel(new byte[] {99}).readState()).isInstanceOf(Iperf3Exception.class)
                .hasMessageContaining("unknown control message (99)")
                .extracting(e -> ((Iperf3Exception) e).kind()).isEqualTo(Iperf3Exception.Kind.PROTOCOL);
    }

    @Test
    void state_closedConnection_isPeerClosed() {
        assertThatThrownBy(() -> channel(new byte[0]).readState()).isInstanceOf(Iperf3Exception.class)
                .extracting(e -> ((Iperf3Exception) e).kind()).isEqualTo(Iperf3Exception.Kind.PEER_CLOSED);
    }

    @Test
    void json_negativeOrHugeLength_isAProtocolError() {
        for (int length : new int[] {-1, 0, ControlChannel.MAX_JSON_BYTES + 1}) {
            byte[] wire = ByteBuffer.allocate(4).putInt(length).array();
            assertThatThrownBy(() -> channel(wire).readJson()).isInstanceOf(Iperf3Exception.class)
                    .hasMessageContaining("a JSON message of " + length + " bytes");
        }
    }

    @Test
    void json_notJsonOrNotAnObject_isAProtocolError() {
        assertThatThrownBy(() -> channel(lengthPrefixed("{\"tcp\":")).readJson()).isInstanceOf(Iperf3Exception.class)
                .hasMessageContaining("does not parse");
        assertThatThrownBy(() -> channel(lengthPrefixed("[1,2]")).readJson()).isInstanceOf(Iperf3Exception.class)
                .hasMessageContaining("not an object");
    }

    @Test
    void params_udpOrTooManyStreamsOrReverseAndBidir_refusedWithIperf3sErrorNumbers() throws IOException {
        assertThat(TestSettings.parse(ControlChannel.JSON.readTree("{\"udp\":true,\"time\":1}")))
                .isInstanceOfSatisfying(TestSettings.Parsed.Refused.class, r -> assertThat(r.iperfErrno()).isEqualTo(TestSettings.IEUNIMP));
        assertThat(TestSettings.parse(ControlChannel.JSON.readTree("{\"tcp\":true,\"parallel\":1000}")))
                .isInstanceOfSatisfying(TestSettings.Parsed.Refused.class, r -> assertThat(r.iperfErrno()).isEqualTo(TestSettings.IENUMSTREAMS));
        assertThat(TestSettings.parse(ControlChannel.JSON.readTree("{\"tcp\":true,\"reverse\":true,\"bidirectional\":true}")))
                .isInstanceOfSatisfying(TestSettings.Parsed.Refused.class, r -> assertThat(r.iperfErrno()).isEqualTo(TestSettings.IEREVERSEBIDIR));
    }

    @Test
    void serverError_isTheStateByteThenTwoBigEndianInts() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ControlChannel c = new ControlChannel(new FakeSocket(new byte[0], out));
        c.writeServerError(TestSettings.IEUNIMP, 0);
        assertThat(out.toByteArray()).containsExactly(-2, 0, 0, 0, 13, 0, 0, 0, 0);
    }

    @Test
    void units_asIperf3PrintsThem() {
        // Figures from the real iperf3's output on this machine.
        assertThat(Units.bytes(1023 * 1024)).isEqualTo("1023 KByte");
        assertThat(Units.bytes(50 * 1024 * 1024)).isEqualTo("50.0 MByte");
        assertThat(Units.bytes(1.02 * (1 << 30))).isEqualTo("1.02 GByte");
        assertThat(Units.bytes(0)).isEqualTo("0.00 Byte");
        assertThat(Units.bitsPerSecond(8.76e9 / 8)).isEqualTo("8.76 Gbit");
        assertThat(Units.bitsPerSecond(580e6 / 8)).isEqualTo(" 580 Mbit");
        assertThat(Iperf3Options.parseSize("50M")).isEqualTo(50L << 20);
        assertThat(Iperf3Options.parseSize("128K")).isEqualTo(131072);
        assertThatThrownBy(() -> Iperf3Options.parseSize("lots")).isInstanceOf(NumberFormatException.class);
    }

    private static byte[] lengthPrefixed(String json) {
        byte[] text = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + text.length).putInt(text.length).put(text).array();
    }

    private static ControlChannel channel(byte[] incoming) throws IOException {
        return new ControlChannel(new FakeSocket(incoming, new ByteArrayOutputStream()));
    }

    /** A socket whose input is fixed bytes and whose output is kept: the codec alone, without a network. */
    private static final class FakeSocket extends Socket {
        private final ByteArrayInputStream in;
        private final ByteArrayOutputStream out;

        FakeSocket(byte[] in, ByteArrayOutputStream out) {
            this.in = new ByteArrayInputStream(in);
            this.out = out;
        }

        @Override
        public java.io.InputStream getInputStream() {
            return in;
        }

        @Override
        public java.io.OutputStream getOutputStream() {
            return out;
        }
    }
}
