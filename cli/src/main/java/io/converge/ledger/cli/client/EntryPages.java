package io.converge.ledger.cli.client;

import io.converge.context.v1.ContextServiceGrpc.ContextServiceBlockingStub;
import io.converge.context.v1.Entry;
import io.converge.context.v1.GetRequest;
import io.converge.context.v1.GetResponse;

import java.util.function.Consumer;

/**
 * Reads a context's entries with Get, page after page while {@code has_more}: each page asks
 * for the entries after the last sequence received. Not thread-safe; one read per instance.
 */
public final class EntryPages {
    private final ContextServiceBlockingStub stub;

    /** @param stub the stub to call; each page is one call with the stub's deadline, if any */
    public EntryPages(ContextServiceBlockingStub stub) {
        this.stub = stub;
    }

    /** What a read returned: how many entries, the context's latest sequence, and whether more were left. */
    public record Summary(long entries, long latestSequence, long lastSequence, boolean hasMore) {
    }

    /**
     * Hands every matching entry after {@code after} to {@code sink}, in ascending order, up to
     * {@code limit} entries (0: no limit), across as many pages as needed when {@code all}, else
     * from one Get only.
     */
    public Summary read(String context, String key, long after, long limit, boolean all, Consumer<Entry> sink) {
        long count = 0;
        long last = after;
        long latest;
        boolean more;
        do {
            long left = limit == 0 ? 0 : limit - count;
            GetResponse page = stub.get(GetRequest.newBuilder().setContextId(context).setKey(key == null ? "" : key)
                .setAfterSequence(last).setLimit((int) Math.min(left, Integer.MAX_VALUE)).build());
            for (Entry entry : page.getEntriesList()) {
                sink.accept(entry);
                last = entry.getSequence();
            }
            count += page.getEntriesCount();
            latest = page.getLatestSequence();
            more = page.getHasMore();
            if (page.getEntriesCount() == 0) {
                break;
            }
        } while (all && more && (limit == 0 || count < limit));
        return new Summary(count, latest, last, more);
    }

    /** The context's latest sequence (0 for a context never written), without reading an entry. */
    public long latestSequence(String context) {
        return stub.get(GetRequest.newBuilder().setContextId(context).setAfterSequence(Long.MAX_VALUE).build())
            .getLatestSequence();
    }

    /**
     * The sequence of the last entry after {@code after} with {@code key} up to the latest, or
     * {@code after} when there is none: the point a Watch with that filter has caught up at.
     */
    public long lastMatching(String context, String key, long after) {
        if (key == null || key.isEmpty()) {
            return Math.max(after, latestSequence(context));
        }
        long[] last = {after};
        read(context, key, after, 0, true, entry -> last[0] = entry.getSequence());
        return last[0];
    }
}
