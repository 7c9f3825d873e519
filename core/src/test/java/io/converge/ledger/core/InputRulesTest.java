package io.converge.ledger.core;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class InputRulesTest {
    /** Two UTF-8 bytes, one char. */
    private static final String E_ACUTE = "é";
    /** Three UTF-8 bytes, one char. */
    private static final String EURO = "€";
    /** Four UTF-8 bytes, two chars (a surrogate pair). */
    private static final String ROCKET = "🚀";

    private static LedgerException rejected(LedgerException.Reason reason, Executable call, String... mentions) {
        LedgerException e = assertThrows(LedgerException.class, call);
        assertEquals(reason, e.reason(), e.getMessage());
        for (String m : mentions) {
            assertTrue(e.getMessage().contains(m), "message '" + e.getMessage() + "' should mention '" + m + "'");
        }
        return e;
    }

    @Test
    void anEmptyOrNullContextIdIsRejectedWithTheAllowedRange() {
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkContextId(""),
            "context_id", "empty", "1024");
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkContextId(null),
            "context_id", "empty");
    }

    @Test
    void aContextIdOfOneByteIsAccepted() {
        assertDoesNotThrow(() -> InputRules.checkContextId("c"));
    }

    @Test
    void aContextIdOfExactly1024Utf8BytesIsAcceptedWhateverItsCharacters() {
        for (String unit : new String[] {"a", E_ACUTE, EURO, ROCKET}) {
            String id = Bytes.ofUtf8Length(unit, 1024);
            assertDoesNotThrow(() -> InputRules.checkContextId(id), unit);
        }
    }

    @Test
    void aContextIdOf1025Utf8BytesIsRejectedEvenWhenItHasFewerThan1024Chars() {
        for (String unit : new String[] {"a", E_ACUTE, EURO, ROCKET}) {
            String id = Bytes.ofUtf8Length(unit, 1025);
            rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkContextId(id),
                "context_id", "1025", "1024");
        }
        String twoByteChars = Bytes.ofUtf8Length(E_ACUTE, 1025);
        assertEquals(513, twoByteChars.length(), "the test means bytes, not chars");
    }

    @Test
    void aContextIdWithAnUnpairedSurrogateIsRejectedAsNotUtf8() {
        for (String id : new String[] {"\uD800", "a\uDC00b", "ab\uD83D", "\uDE80\uD83D", "x" + ROCKET + "\uD83D"}) {
            rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkContextId(id),
                "context_id", "UTF-8");
        }
    }

    @Test
    void anEmptyKeyIsAccepted() {
        assertEquals(0, InputRules.checkKey("", "key"));
    }

    @Test
    void aKeyOf1024Utf8BytesIsAcceptedAnd1025IsRejectedNamingTheField() {
        for (String unit : new String[] {"a", E_ACUTE, EURO, ROCKET}) {
            assertEquals(1024, InputRules.checkKey(Bytes.ofUtf8Length(unit, 1024), "key"));
            String tooLong = Bytes.ofUtf8Length(unit, 1025);
            rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkKey(tooLong, "key"),
                "key", "1025", "1024");
            rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkKey(tooLong, "key filter"),
                "key filter", "1025", "1024");
        }
    }

    @Test
    void aKeyWithAnUnpairedSurrogateIsRejectedAsNotUtf8() {
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkKey("k\uDFFF", "key"),
            "key", "UTF-8");
    }

    @Test
    void metadataOfExactly65536BytesIsAcceptedAnd65537IsRejected() {
        // One pair: the key's bytes count too.
        assertEquals(65536, InputRules.checkMetadata(Map.of("k", "v".repeat(65535))));
        rejected(LedgerException.Reason.INVALID_ARGUMENT,
            () -> InputRules.checkMetadata(Map.of("k", "v".repeat(65536))), "metadata", "65537", "65536");

        // Many pairs with multi-byte characters: bytes of every key and value, summed.
        Map<String, String> exact = new LinkedHashMap<>();
        for (int i = 0; i < 16; i++) {
            exact.put(String.format("%03d", i), Bytes.ofUtf8Length(EURO, 4096 - 3)); // 3 + 4093 bytes
        }
        assertEquals(65536, InputRules.checkMetadata(exact));
        Map<String, String> over = new LinkedHashMap<>(exact);
        over.put("", "x");
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkMetadata(over),
            "metadata", "65537", "65536");
    }

    @Test
    void emptyMetadataAndEmptyKeysAndValuesAreAccepted() {
        assertEquals(0, InputRules.checkMetadata(Map.of()));
        assertEquals(0, InputRules.checkMetadata(Map.of("", "")));
    }

    @Test
    void metadataWithAnUnpairedSurrogateInAKeyOrValueIsRejected() {
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkMetadata(Map.of("\uD800", "v")),
            "metadata", "UTF-8");
        rejected(LedgerException.Reason.INVALID_ARGUMENT, () -> InputRules.checkMetadata(Map.of("k", "\uDC00")),
            "metadata", "UTF-8");
    }

    @Test
    void aPayloadOfExactly4MiBIsAcceptedAndOneByteMoreIsResourceExhausted() {
        assertDoesNotThrow(() -> InputRules.checkPayload(4_194_304));
        assertDoesNotThrow(() -> InputRules.checkPayload(0));
        rejected(LedgerException.Reason.RESOURCE_EXHAUSTED, () -> InputRules.checkPayload(4_194_305),
            "payload", "4194305", "4194304");
    }

    @Test
    void utf8LengthAgreesWithTheJdkEncoderForRandomValidStrings() {
        Random random = new Random(20_261_125L);
        int[] codePoints = {'a', 'Z', 0x7F, 0x80, 0xE9, 0x7FF, 0x800, 0x20AC, 0xD7FF, 0xE000, 0xFFFF, 0x10000,
            0x1F680, 0x10FFFF, 0};
        for (int iteration = 0; iteration < 500; iteration++) {
            StringBuilder sb = new StringBuilder();
            int length = random.nextInt(20);
            for (int i = 0; i < length; i++) {
                sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
            }
            String s = sb.toString();
            assertEquals(Bytes.utf8(s).length, InputRules.utf8Length(s), s);
        }
    }

    @Test
    void utf8LengthIsMinusOneForAnyUnpairedSurrogate() {
        assertEquals(-1, InputRules.utf8Length("\uD800"));
        assertEquals(-1, InputRules.utf8Length("\uDC00"));
        assertEquals(-1, InputRules.utf8Length("\uD800a"));
        assertEquals(-1, InputRules.utf8Length("\uDC00\uD800"));
        assertEquals(4, InputRules.utf8Length("\uD800\uDC00"));
    }
}
