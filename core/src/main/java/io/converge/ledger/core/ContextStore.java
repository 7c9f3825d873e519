package io.converge.ledger.core;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Every context that has ever held an entry, by id.
 *
 * <p>One writer, the sequencer, creates contexts; readers look them up concurrently
 * without locks. A context, once created, is never removed.
 */
public final class ContextStore {
    private final ConcurrentHashMap<String, ContextLog> contexts = new ConcurrentHashMap<>();
    /** Where every context's small payloads go; written by the one writer only. */
    private final PayloadSlab payloads = new PayloadSlab();

    /** The context's log, or {@code null} when it was never written. Thread-safe. */
    public ContextLog find(String contextId) {
        return contexts.get(contextId);
    }

    /** Number of contexts that hold entries. Thread-safe. */
    public int size() {
        return contexts.size();
    }

    /** Writer only: the context's log, created empty when it does not exist yet. */
    ContextLog getOrCreate(String contextId) {
        ContextLog log = contexts.get(contextId);
        if (log == null) {
            log = new ContextLog(contextId, payloads);
            contexts.put(contextId, log);
        }
        return log;
    }
}
