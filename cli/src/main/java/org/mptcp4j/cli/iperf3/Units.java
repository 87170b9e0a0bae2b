package org.mptcp4j.cli.iperf3;

import java.util.Locale;

/**
 * iperf3's adaptive units (units.c, format 'A' for bytes and 'a' for bits): bytes step by 1024
 * (KByte, MByte, ...), bits by 1000 (Kbit, Mbit, ...), with three significant digits.
 */
final class Units {
    private static final String[] BYTE_LABELS = {"Byte", "KByte", "MByte", "GByte", "TByte"};
    private static final String[] BIT_LABELS = {"bit", "Kbit", "Mbit", "Gbit", "Tbit"};

    private Units() {}

    /** "1.02 GByte": the caller appends the plural "s" as iperf3's format strings do. */
    static String bytes(double bytes) {
        return scaled(bytes, 1024, BYTE_LABELS);
    }

    /** "8.76 Gbit" for a rate given in bytes per second (iperf3 multiplies by 8 for bit formats). */
    static String bitsPerSecond(double bytesPerSecond) {
        return scaled(bytesPerSecond * 8, 1000, BIT_LABELS);
    }

    private static String scaled(double value, double base, String[] labels) {
        int i = 0;
        while (value >= base && i < labels.length - 1) {
            value /= base;
            i++;
        }
        String format = value < 9.995 ? "%4.2f %s" : value < 99.95 ? "%4.1f %s" : "%4.0f %s";
        return String.format(Locale.ROOT, format, value, labels[i]);
    }
}
