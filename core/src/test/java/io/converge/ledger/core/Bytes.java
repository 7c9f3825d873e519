package io.converge.ledger.core;

import java.nio.charset.StandardCharsets;

/** Small byte helpers for tests. */
final class Bytes {
    private Bytes() {
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** {@code n} bytes 0, 1, 2, ... wrapping at 256. */
    static byte[] ramp(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) i;
        }
        return b;
    }

    /** A string of exactly {@code bytes} UTF-8 bytes made of {@code unit} repeated, padded with ASCII 'x'. */
    static String ofUtf8Length(String unit, int bytes) {
        int unitBytes = utf8(unit).length;
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < bytes / unitBytes; i++) {
            sb.append(unit);
        }
        sb.append("x".repeat(bytes % unitBytes));
        String s = sb.toString();
        if (utf8(s).length != bytes) {
            throw new AssertionError("helper built " + utf8(s).length + " bytes, not " + bytes);
        }
        return s;
    }
}
