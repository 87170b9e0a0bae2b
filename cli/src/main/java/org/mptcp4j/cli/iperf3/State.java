package org.mptcp4j.cli.iperf3;

import java.util.Optional;

/** The control states of iperf3 (iperf_api.h), each sent as one signed byte. */
enum State {
    TEST_START(1),
    TEST_RUNNING(2),
    TEST_END(4),
    PARAM_EXCHANGE(9),
    CREATE_STREAMS(10),
    SERVER_TERMINATE(11),
    CLIENT_TERMINATE(12),
    EXCHANGE_RESULTS(13),
    DISPLAY_RESULTS(14),
    IPERF_START(15),
    IPERF_DONE(16),
    ACCESS_DENIED(-1),
    SERVER_ERROR(-2);

    private final byte code;

    State(int code) {
        this.code = (byte) code;
    }

    byte code() {
        return code;
    }

    static Optional<State> of(byte code) {
        for (State s : values()) {
            if (s.code == code) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
