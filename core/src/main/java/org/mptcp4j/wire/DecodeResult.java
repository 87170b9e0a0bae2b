package org.mptcp4j.wire;

import org.mptcp4j.mib.MibCounter;

/**
 * The outcome of decoding bytes: a value, or a typed refusal that names the byte offset, the
 * reason, and the counter the caller increments. Decoders return this; they never throw.
 */
public sealed interface DecodeResult<T> permits DecodeResult.Ok, DecodeResult.Malformed {

    record Ok<T>(T value) implements DecodeResult<T> {}

    record Malformed<T>(int offset, String reason, MibCounter counter) implements DecodeResult<T> {
        @Override
        public String toString() {
            return "Malformed at offset " + offset + ": " + reason + " (" + counter.nstatName() + ")";
        }
    }

    static <T> DecodeResult<T> ok(T value) {
        return new Ok<>(value);
    }

    static <T> DecodeResult<T> malformed(int offset, String reason, MibCounter counter) {
        return new Malformed<>(offset, reason, counter);
    }
}
