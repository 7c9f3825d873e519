package io.converge.ledger.transport;

import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc.ContextServiceBlockingStub;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.function.Executable;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** Requests, readers and assertions the contract tests share. Stateless. */
final class ContractSupport {
    /** The largest payload the contract accepts: 4 MiB. */
    static final int MAX_PAYLOAD = 4 * 1024 * 1024;
    /** The default cap on a Get answer: 4 MiB, what a stock client accepts. */
    static final int DEFAULT_GET_CAP = 4 * 1024 * 1024;
    /** A generous window around "now" for server timestamps: not a timing assertion. */
    static final long CLOCK_SLACK_NS = TimeUnit.HOURS.toNanos(1);

    private ContractSupport() {
    }

    static Entry append(ContextServiceBlockingStub stub, String contextId, String key, byte[] payload,
                        Map<String, String> metadata) {
        return stub.append(AppendRequest.newBuilder()
            .setContextId(contextId)
            .setKey(key)
            .setPayload(ByteString.copyFrom(payload))
            .putAllMetadata(metadata)
            .build()).getEntry();
    }

    static Entry append(LedgerFixture fixture, String contextId, String key, String payload) {
        return append(fixture.blocking(), contextId, key, payload.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    /** Appends {@code n} entries with keys {@code k0..k2} in turn and distinct payloads and metadata. */
    static List<Entry> appendMany(LedgerFixture fixture, String contextId, int n) {
        List<Entry> appended = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            appended.add(append(fixture.blocking(), contextId, "k" + (i % 3),
                ("payload " + i + " of " + contextId).getBytes(StandardCharsets.UTF_8), Map.of("i", "" + i)));
        }
        return appended;
    }

    static GetResponse get(LedgerFixture fixture, String contextId) {
        return fixture.blocking().get(GetRequest.newBuilder().setContextId(contextId).build());
    }

    static long latest(LedgerFixture fixture, String contextId) {
        return get(fixture, contextId).getLatestSequence();
    }

    /** Every entry of the context, paging on with after_sequence while has_more is set. */
    static List<Entry> readAll(LedgerFixture fixture, String contextId) {
        List<Entry> all = new ArrayList<>();
        long after = 0;
        for (int page = 0; page < 100_000; page++) {
            GetResponse r = fixture.blocking().get(GetRequest.newBuilder()
                .setContextId(contextId).setAfterSequence(after).build());
            all.addAll(r.getEntriesList());
            if (!r.getHasMore()) {
                return all;
            }
            assertFalse(r.getEntriesList().isEmpty(), "has_more with an empty page would never end");
            after = last(r.getEntriesList()).getSequence();
        }
        throw new AssertionError("paging did not end");
    }

    static List<Long> sequences(List<Entry> entries) {
        return entries.stream().map(Entry::getSequence).toList();
    }

    /** 1, 2, ..., n. */
    static List<Long> oneTo(long n) {
        return range(1, n);
    }

    /** from, from + 1, ..., to (empty when to &lt; from). */
    static List<Long> range(long from, long to) {
        List<Long> r = new ArrayList<>();
        for (long s = from; s <= to; s++) {
            r.add(s);
        }
        return r;
    }

    static <T> T last(List<T> list) {
        return list.get(list.size() - 1);
    }

    static long nowNs() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static void assertCloseToNow(long epochNanos, String what) {
        long now = nowNs();
        assertTrue(Math.abs(now - epochNanos) < CLOCK_SLACK_NS,
            what + " = " + epochNanos + " ns is not Unix time in nanoseconds near now (" + now + ")");
    }

    /** Deterministic bytes. */
    static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /**
     * A string of exactly {@code utf8Bytes} bytes of UTF-8 built mostly from multi-byte
     * characters (2, 3 and 4 bytes, including a surrogate pair), so its length in chars is
     * far from its length in bytes.
     */
    static String utf8OfBytes(int utf8Bytes) {
        StringBuilder s = new StringBuilder();
        int left = utf8Bytes;
        while (left >= 10) {
            s.append("a€é\uD83D\uDE00"); // 1 + 3 + 2 + 4 bytes
            left -= 10;
        }
        while (left >= 2) {
            s.append('é');
            left -= 2;
        }
        if (left == 1) {
            s.append('a');
        }
        assertEquals(utf8Bytes, s.toString().getBytes(StandardCharsets.UTF_8).length);
        assertTrue(s.length() < utf8Bytes || utf8Bytes < 2);
        return s.toString();
    }

    /**
     * Asserts that {@code call} is refused with {@code code} and a description that says
     * what was wrong: non-empty and naming {@code mentions} (case-insensitively).
     *
     * @return the status
     */
    static Status assertRejected(Status.Code code, String mentions, Executable call) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call,
            "expected " + code + " naming '" + mentions + "'");
        return assertStatus(code, mentions, e.getStatus());
    }

    static Status assertStatus(Status.Code code, String mentions, Status status) {
        assertEquals(code, status.getCode(), () -> "status: " + status);
        String description = status.getDescription();
        assertNotNull(description, "a rejection carries a description");
        assertFalse(description.isBlank(), "a rejection carries a non-empty description");
        assertTrue(description.toLowerCase(Locale.ROOT).contains(mentions.toLowerCase(Locale.ROOT)),
            () -> "the description should say what was wrong (" + mentions + "): " + description);
        return status;
    }

    /** Waits up to {@code seconds} for {@code condition}, failing with {@code what} otherwise. */
    static void await(String what, long seconds, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + seconds + " s: " + what);
            }
            Thread.sleep(5);
        }
    }
}
