package org.mptcp4j.cli.iperf3;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * iperf3's control connection, as iperf3 3.x writes it (iperf_api.c, iperf_api.h): the client's
 * 37-byte cookie (36 characters and a NUL) first, then one signed byte per state change, and the
 * parameters and results as JSON text after a 4-byte big-endian length. The same cookie opens every
 * data connection, which is how the server tells them from a second client.
 *
 * <p>Writes are serialised: the client's timer thread sends TEST_END while its main thread reads.
 */
final class ControlChannel implements AutoCloseable {
    /** iperf_api.h COOKIE_SIZE: 36 characters and the terminating NUL. */
    static final int COOKIE_SIZE = 37;
    /** The characters iperf3's make_cookie draws from. */
    private static final String COOKIE_CHARS = "abcdefghijklmnopqrstuvwxyz234567";
    /** A parameter or results message larger than this is not iperf3's (its own limit is 8 KiB less a little). */
    static final int MAX_JSON_BYTES = 1 << 20;
    static final ObjectMapper JSON = new ObjectMapper();

    private final Socket socket;
    private final DataInputStream in;
    private final DataOutputStream out;

    ControlChannel(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = new DataOutputStream(socket.getOutputStream());
    }

    Socket socket() {
        return socket;
    }

    /** A fresh cookie: 36 random characters of iperf3's alphabet. */
    static String newCookie(SecureRandom random) {
        StringBuilder b = new StringBuilder(COOKIE_SIZE - 1);
        for (int i = 0; i < COOKIE_SIZE - 1; i++) {
            b.append(COOKIE_CHARS.charAt(random.nextInt(COOKIE_CHARS.length())));
        }
        return b.toString();
    }

    /** Writes the cookie as iperf3 does: the characters, then NUL, 37 bytes in all. */
    static void writeCookie(OutputStream out, String cookie) throws IOException {
        byte[] bytes = new byte[COOKIE_SIZE];
        byte[] text = cookie.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(text, 0, bytes, 0, Math.min(text.length, COOKIE_SIZE - 1));
        out.write(bytes);
        out.flush();
    }

    /** Reads a 37-byte cookie; the text is what precedes the first NUL. */
    static String readCookie(InputStream in) throws IOException {
        byte[] bytes = new DataInputStream(in).readNBytes(COOKIE_SIZE);
        if (bytes.length < COOKIE_SIZE) {
            throw new EOFException("the connection closed before its " + COOKIE_SIZE + "-byte cookie");
        }
        int end = 0;
        while (end < COOKIE_SIZE && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    synchronized void writeState(State state) throws IOException {
        out.writeByte(state.code());
        out.flush();
    }

    /** SERVER_ERROR followed by iperf3's error number and errno, each a 4-byte big-endian int (iperf_api.c). */
    synchronized void writeServerError(int iperfErrno, int errno) throws IOException {
        out.writeByte(State.SERVER_ERROR.code());
        out.writeInt(iperfErrno);
        out.writeInt(errno);
        out.flush();
    }

    /** The next state byte; an unknown one is a protocol error (iperf3's IEMESSAGE). */
    State readState() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new Iperf3Exception(Iperf3Exception.Kind.PEER_CLOSED, "the control connection closed unexpectedly");
        }
        return State.of((byte) b).orElseThrow(() -> new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL,
                "received an unknown control message (" + (byte) b + ")"));
    }

    int readInt() throws IOException {
        return in.readInt();
    }

    synchronized void writeJson(JsonNode node) throws IOException {
        byte[] text = JSON.writeValueAsBytes(node);
        out.writeInt(text.length);
        out.write(text);
        out.flush();
    }

    /** A length-prefixed JSON object; a bad length or text that is not a JSON object is a protocol error. */
    ObjectNode readJson() throws IOException {
        int length = in.readInt();
        if (length <= 0 || length > MAX_JSON_BYTES) {
            throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "a JSON message of " + length + " bytes");
        }
        byte[] text = in.readNBytes(length);
        if (text.length < length) {
            throw new Iperf3Exception(Iperf3Exception.Kind.PEER_CLOSED, "the control connection closed within a JSON message");
        }
        try {
            if (JSON.readTree(text) instanceof ObjectNode o) {
                return o;
            }
        } catch (JacksonException e) {
            throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "a JSON message that does not parse: " + e.getOriginalMessage());
        }
        throw new Iperf3Exception(Iperf3Exception.Kind.PROTOCOL, "a JSON message that is not an object");
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
