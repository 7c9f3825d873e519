package io.converge.ledger.transport;

import io.converge.context.v1.ContextServiceGrpc;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.converge.ledger.transport.ContractSupport.DEFAULT_GET_CAP;
import static io.converge.ledger.transport.ContractSupport.MAX_PAYLOAD;
import static io.converge.ledger.transport.ContractSupport.append;
import static io.converge.ledger.transport.ContractSupport.appendMany;
import static io.converge.ledger.transport.ContractSupport.bytes;
import static io.converge.ledger.transport.ContractSupport.last;
import static io.converge.ledger.transport.ContractSupport.oneTo;
import static io.converge.ledger.transport.ContractSupport.range;
import static io.converge.ledger.transport.ContractSupport.sequences;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CONTRACT.md, "Get": filters, limit, latest_sequence, has_more and the response-size cap. */
@ParameterizedClass
@MethodSource(ServedOverBothTransports.SERVERS)
class GetContractTest extends ServedOverBothTransports {
    private GetResponse get(String contextId, String key, long afterSequence, int limit) {
        return fixture.blocking().get(GetRequest.newBuilder()
            .setContextId(contextId).setKey(key).setAfterSequence(afterSequence).setLimit(limit).build());
    }

    @Test
    void aContextNeverWrittenReadsEmptyWithLatestSequenceZero() {
        GetResponse r = get("never-written", "", 0, 0);
        assertEquals(0, r.getEntriesCount());
        assertEquals(0, r.getLatestSequence());
        assertFalse(r.getHasMore());
        GetResponse filtered = get("never-written", "k", 5, 3);
        assertEquals(GetResponse.getDefaultInstance(), filtered);
    }

    @Test
    void returnsEveryEntryWholeInAscendingSequenceOrder() {
        List<Entry> appended = appendMany(fixture, "ctx", 30);
        GetResponse r = get("ctx", "", 0, 0);
        assertEquals(appended, r.getEntriesList());
        assertEquals(30, r.getLatestSequence());
        assertFalse(r.getHasMore());
    }

    @Test
    void afterSequenceReturnsOnlyTheEntriesWithAGreaterSequence() {
        List<Entry> appended = appendMany(fixture, "ctx", 10);
        assertEquals(appended.subList(3, 10), get("ctx", "", 3, 0).getEntriesList());
        assertEquals(appended.subList(9, 10), get("ctx", "", 9, 0).getEntriesList());
        for (long after : new long[] {10, 11, 1_000_000, Long.MAX_VALUE, -1L /* uint64 max */}) {
            GetResponse r = get("ctx", "", after, 0);
            assertEquals(0, r.getEntriesCount(), "after_sequence " + Long.toUnsignedString(after));
            assertEquals(10, r.getLatestSequence());
            assertFalse(r.getHasMore());
        }
    }

    @Test
    void aKeyFilterReturnsOnlyEntriesWithThatKeyAndAnEmptyFilterMeansAnyKey() {
        List<Entry> appended = new ArrayList<>();
        String[] keys = {"a", "b", "", "a", "ab", "A", "a"};
        for (String key : keys) {
            appended.add(append(fixture, "ctx", key, "p-" + key));
        }
        assertEquals(List.of(1L, 4L, 7L), sequences(get("ctx", "a", 0, 0).getEntriesList()),
            "exact key match: not a prefix, not case-insensitive");
        assertEquals(List.of(4L, 7L), sequences(get("ctx", "a", 1, 0).getEntriesList()));
        assertEquals(List.of(2L), sequences(get("ctx", "b", 0, 0).getEntriesList()));
        assertEquals(appended, get("ctx", "", 0, 0).getEntriesList(), "an empty filter means any key");
        assertEquals(0, get("ctx", "zzz", 0, 0).getEntriesCount());
        for (Entry e : get("ctx", "a", 0, 0).getEntriesList()) {
            assertEquals(appended.get((int) e.getSequence() - 1), e, "filtered entries come whole");
        }
    }

    @Test
    void limitReturnsAtMostThatManyAndZeroMeansNoLimit() {
        appendMany(fixture, "ctx", 20);
        assertEquals(oneTo(5), sequences(get("ctx", "", 0, 5).getEntriesList()));
        assertEquals(range(11, 11), sequences(get("ctx", "", 10, 1).getEntriesList()));
        assertEquals(range(16, 20), sequences(get("ctx", "", 15, 100).getEntriesList()));
        assertEquals(oneTo(20), sequences(get("ctx", "", 0, 0).getEntriesList()));
        assertEquals(oneTo(20), sequences(get("ctx", "", 0, -1 /* uint32 max */).getEntriesList()));
    }

    @Test
    void latestSequenceIsTheContextsLatestWhateverTheFilter() {
        appendMany(fixture, "ctx", 12); // keys k0, k1, k2 in turn
        assertEquals(12, get("ctx", "k0", 0, 0).getLatestSequence());
        assertEquals(12, get("ctx", "k1", 0, 1).getLatestSequence());
        assertEquals(12, get("ctx", "no-such-key", 0, 0).getLatestSequence());
        assertEquals(12, get("ctx", "", 12, 0).getLatestSequence());
        assertEquals(12, get("ctx", "k2", 100, 2).getLatestSequence());
    }

    @Test
    void hasMoreIsTrueWhenLimitCutTheAnswerShortAndFalseWhenLimitEqualsWhatWasLeft() {
        appendMany(fixture, "ctx", 10);
        assertTrue(get("ctx", "", 0, 9).getHasMore(), "one entry left beyond a limit of 9");
        assertFalse(get("ctx", "", 0, 10).getHasMore(), "limit equals what was left");
        assertFalse(get("ctx", "", 0, 11).getHasMore());
        assertTrue(get("ctx", "", 7, 2).getHasMore());
        assertFalse(get("ctx", "", 7, 3).getHasMore());
        assertFalse(get("ctx", "", 10, 1).getHasMore(), "nothing left at all");
    }

    @Test
    void hasMoreCountsOnlyEntriesThatMatchTheKeyFilter() {
        // Keys: a b a b b b
        for (String key : new String[] {"a", "b", "a", "b", "b", "b"}) {
            append(fixture, "ctx", key, "p");
        }
        GetResponse r = get("ctx", "a", 0, 2);
        assertEquals(List.of(1L, 3L), sequences(r.getEntriesList()));
        assertFalse(r.getHasMore(), "entries remain beyond the answer, but none with key a");
        GetResponse b = get("ctx", "b", 0, 3);
        assertEquals(List.of(2L, 4L, 5L), sequences(b.getEntriesList()));
        assertTrue(b.getHasMore(), "one more entry with key b");
    }

    @Test
    void pagingOnWithAfterSequenceVisitsEveryMatchingEntryExactlyOnce() {
        List<Entry> appended = appendMany(fixture, "ctx", 50);
        List<Entry> expected = appended.stream().filter(e -> e.getKey().equals("k1")).toList();
        List<Entry> paged = new ArrayList<>();
        long after = 0;
        int pages = 0;
        GetResponse r;
        do {
            r = get("ctx", "k1", after, 4);
            paged.addAll(r.getEntriesList());
            if (r.getEntriesCount() > 0) {
                after = last(r.getEntriesList()).getSequence();
            }
            assertTrue(++pages <= expected.size() + 1, "paging must end");
        } while (r.getHasMore());
        assertEquals(expected, paged);
    }

    @Test
    void anAnswerNeverExceedsTheDefaultFourMebibyteCapAndPagesOnToTheRest() {
        int mib = 1024 * 1024;
        List<Entry> appended = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            appended.add(append(fixture.blocking(), "ctx", "k", bytes(mib, i), Map.of("i", "" + i)));
        }
        // Read as a stock client would: grpc-java's default 4 MiB inbound limit.
        var stock = ContextServiceGrpc.newBlockingStub(fixture.openStockChannel());
        GetResponse first = stock.withDeadlineAfter(10, TimeUnit.SECONDS)
            .get(GetRequest.newBuilder().setContextId("ctx").build());
        assertTrue(first.getSerializedSize() <= DEFAULT_GET_CAP, "answer of " + first.getSerializedSize() + " bytes");
        assertTrue(first.getEntriesCount() >= 1 && first.getEntriesCount() < 6);
        assertTrue(first.getHasMore(), "the cap cut the answer short");
        assertEquals(6, first.getLatestSequence());
        assertEquals(appended.subList(0, first.getEntriesCount()), first.getEntriesList(), "a prefix, whole");
        assertThePageIsTheLongestThatFits(first, appended.get(first.getEntriesCount()), DEFAULT_GET_CAP);

        GetResponse rest = stock.withDeadlineAfter(10, TimeUnit.SECONDS).get(GetRequest.newBuilder()
            .setContextId("ctx").setAfterSequence(last(first.getEntriesList()).getSequence()).build());
        assertTrue(rest.getSerializedSize() <= DEFAULT_GET_CAP);
        assertEquals(appended.subList(first.getEntriesCount(), 6), rest.getEntriesList());
        assertFalse(rest.getHasMore());
    }

    @Test
    void anEntryLargerThanTheCapIsStillReturnedAloneAtTheDefaultCap() {
        byte[] huge = bytes(MAX_PAYLOAD, 9); // as an Entry on the wire, more than the 4 MiB cap
        append(fixture, "ctx", "k", "small before");
        append(fixture.blocking(), "ctx", "k", huge, Map.of());
        append(fixture, "ctx", "k", "small after");

        GetResponse first = get("ctx", "", 0, 0);
        assertEquals(List.of(1L), sequences(first.getEntriesList()), "the small entry, then the cap");
        assertTrue(first.getHasMore());
        GetResponse alone = get("ctx", "", 1, 0);
        assertEquals(List.of(2L), sequences(alone.getEntriesList()), "at least one entry, even over the cap");
        assertArrayEquals(huge, alone.getEntries(0).getPayload().toByteArray());
        assertTrue(alone.getHasMore());
        GetResponse rest = get("ctx", "", 2, 0);
        assertEquals(List.of(3L), sequences(rest.getEntriesList()));
        assertFalse(rest.getHasMore());
    }

    @Test
    void aSmallerConfiguredCapPagesThroughEveryEntryWithMaximalPages() throws Exception {
        int cap = 16 * 1024;
        try (LedgerFixture small = LedgerFixture.start(transport,
            ServerSettings.defaults().withGetResponseCapBytes(cap))) {
            List<Entry> appended = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                appended.add(append(small.blocking(), "ctx", "k" + (i % 2), bytes(200 + 37 * i, i),
                    Map.of("n", "" + i)));
            }
            for (String key : new String[] {"", "k1"}) {
                List<Entry> expected = appended.stream().filter(e -> key.isEmpty() || e.getKey().equals(key)).toList();
                List<Entry> paged = new ArrayList<>();
                long after = 0;
                int pages = 0;
                while (true) {
                    GetResponse r = small.blocking().get(GetRequest.newBuilder()
                        .setContextId("ctx").setKey(key).setAfterSequence(after).build());
                    pages++;
                    assertTrue(r.getSerializedSize() <= cap, "page of " + r.getSerializedSize() + " bytes");
                    assertFalse(r.getEntriesList().isEmpty());
                    assertEquals(60, r.getLatestSequence());
                    paged.addAll(r.getEntriesList());
                    if (!r.getHasMore()) {
                        break;
                    }
                    assertThePageIsTheLongestThatFits(r, expected.get(paged.size()), cap);
                    after = last(r.getEntriesList()).getSequence();
                }
                assertEquals(expected, paged, "key filter '" + key + "'");
                assertTrue(pages > 1, "the cap was exercised");
            }

            // A limit below what the cap allows still sets has_more; the cap below the limit too.
            GetResponse limited = small.blocking().get(GetRequest.newBuilder().setContextId("ctx").setLimit(2).build());
            assertEquals(oneTo(2), sequences(limited.getEntriesList()));
            assertTrue(limited.getHasMore());
            GetResponse capped = small.blocking().get(GetRequest.newBuilder().setContextId("ctx").setLimit(59).build());
            assertTrue(capped.getEntriesCount() < 59 && capped.getHasMore());

            // An entry alone larger than the cap is still returned.
            Entry big = append(small.blocking(), "ctx", "big", bytes(cap * 2, 99), Map.of());
            GetResponse alone = small.blocking().get(GetRequest.newBuilder()
                .setContextId("ctx").setKey("big").build());
            assertEquals(List.of(big), alone.getEntriesList());
            assertFalse(alone.getHasMore());
        }
    }

    /** "The server returns the prefix that fits": one more entry would not have fitted. */
    private static void assertThePageIsTheLongestThatFits(GetResponse page, Entry next, int cap) {
        int withNext = page.toBuilder().addEntries(next).build().getSerializedSize();
        assertTrue(withNext > cap, "entry " + next.getSequence() + " would have fitted too (" + withNext
            + " bytes with it, cap " + cap + ")");
    }
}
