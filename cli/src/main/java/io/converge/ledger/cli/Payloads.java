package io.converge.ledger.cli;

import com.google.protobuf.ByteString;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How a payload is shown: as its UTF-8 text when that is printable, else as base64. */
final class Payloads {
    private Payloads() {
    }

    /**
     * The payload as text, or {@code null} when it is not valid UTF-8 or holds control characters
     * other than tab and line breaks.
     */
    static String printable(ByteString payload) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(payload.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f) {
                return null;
            }
        }
        return text;
    }

    static String base64(ByteString payload) {
        return Base64.getEncoder().encodeToString(payload.toByteArray());
    }
}
