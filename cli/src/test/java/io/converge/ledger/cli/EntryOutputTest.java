package io.converge.ledger.cli;

import com.google.protobuf.ByteString;
import io.converge.context.v1.Entry;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EntryOutputTest {
    @Test
    void aPayloadIsTextOnlyWhenItIsValidUtf8WithoutControlCharacters() {
        assertEquals("héllo\n\tworld", Payloads.printable(ByteString.copyFromUtf8("héllo\n\tworld")));
        assertNull(Payloads.printable(ByteString.copyFrom(new byte[] {(byte) 0xc3, 0x28})), "malformed UTF-8");
        assertNull(Payloads.printable(ByteString.copyFromUtf8("bell\u0007")), "a control character");
        assertNull(Payloads.printable(ByteString.copyFrom(new byte[] {0})));
        assertEquals("", Payloads.printable(ByteString.EMPTY));
    }

    @Test
    void jsonLinesEscapeWhatJsonMust() {
        Entry entry = Entry.newBuilder().setSequence(3).setId("i").setKey("k\"ey\\").setAppendedAtNs(1_500_000_000L)
            .putMetadata("a", "line\nbreak").setPayload(ByteString.copyFrom("say \"hi\"\r\n", StandardCharsets.UTF_8))
            .build();
        assertEquals("{\"context\":\"c\",\"sequence\":3,\"id\":\"i\",\"key\":\"k\\\"ey\\\\\","
            + "\"appended_at\":\"1970-01-01T00:00:01.500Z\",\"appended_at_ns\":1500000000,"
            + "\"metadata\":{\"a\":\"line\\nbreak\"},\"payload\":\"say \\\"hi\\\"\\r\\n\",\"payload_encoding\":\"utf-8\"}",
            EntryOutput.json("c", entry));
        assertEquals("{\"x\":\"\\u0001\"}", new Json().field("x", "\u0001").toString());
    }

    @Test
    void theTableShortensLongPayloadsAndShowsTheirSize() {
        Entry entry = Entry.newBuilder().setSequence(12).setPayload(ByteString.copyFromUtf8("z".repeat(200))).build();
        String row = EntryOutput.row(entry);
        assertTrue(row.startsWith("12      1970-01-01T00:00:00.000Z  -             " + "z".repeat(80) + "... (200 bytes)"),
            row);
    }
}
