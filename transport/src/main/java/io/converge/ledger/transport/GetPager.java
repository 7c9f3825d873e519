package io.converge.ledger.transport;

import com.google.protobuf.CodedOutputStream;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetResponse;
import io.converge.ledger.core.ContextView;

/**
 * Builds one page of a Get answer: the matching entries after a sequence, cut short by
 * the request's limit or by the response-size cap, with {@code has_more} set exactly
 * when matching entries remain beyond the page. Thread-safe (immutable).
 */
final class GetPager {
    /** The default cap on a serialized GetResponse, in bytes: what a stock client accepts. */
    static final int DEFAULT_RESPONSE_CAP_BYTES = 4 * 1024 * 1024;

    private final int responseCapBytes;

    GetPager(int responseCapBytes) {
        this.responseCapBytes = responseCapBytes;
    }

    /**
     * @param afterSequence only entries with a greater sequence
     * @param limit         at most this many entries; 0 for no limit
     */
    GetResponse page(ContextView view, String key, long afterSequence, long limit) {
        long latest = view.latestSequence();
        GetResponse.Builder page = GetResponse.newBuilder().setLatestSequence(latest);
        long size = CodedOutputStream.computeUInt64Size(2, latest) + CodedOutputStream.computeBoolSize(3, true);
        long count = 0;
        long next = view.nextMatching(key, afterSequence);
        while (next != 0 && (limit == 0 || count < limit)) {
            Entry entry = ProtoEntries.toProto(view.entry(next));
            int entrySize = CodedOutputStream.computeMessageSize(1, entry);
            if (count > 0 && size + entrySize > responseCapBytes) {
                break;
            }
            page.addEntries(entry);
            size += entrySize;
            count++;
            next = view.nextMatching(key, next);
        }
        return page.setHasMore(next != 0).build();
    }
}
