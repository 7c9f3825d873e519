package io.converge.ledger.core;

import java.util.Collection;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every context that has ever held an entry, by id, each with its {@link ContextLog}
 * index into the one {@link RecordStore} that holds all of their records.
 *
 * <p>One writer, the sequencer (or recovery before it), creates contexts; readers look
 * them up concurrently without locks. A context, once created, is never removed.
 */
public final class ContextStore {
    private final ConcurrentHashMap<String, ContextWriter> contexts = new ConcurrentHashMap<>();
    private final RecordStore records;

    // Writer-only: the last context found, for the common run of commands to one context.
    private String lastContextId;
    private ContextWriter lastLog;

    ContextStore(RecordStore records) {
        this.records = records;
    }

    RecordStore records() {
        return records;
    }

    /** The context's log, or {@code null} when it was never written. Thread-safe. */
    public ContextLog find(String contextId) {
        return contexts.get(contextId);
    }

    /** Number of contexts that hold entries. Thread-safe. */
    public int size() {
        return contexts.size();
    }

    /** Writer only: as {@link #find}, but a run of lookups of one context skips the map. */
    ContextWriter findForWriter(String contextId) {
        if (contextId == lastContextId || contextId.equals(lastContextId)) {
            return lastLog;
        }
        ContextWriter log = contexts.get(contextId);
        if (log != null) {
            lastContextId = contextId;
            lastLog = log;
        }
        return log;
    }

    /** Writer only: the context's log, created empty when it does not exist yet. */
    ContextWriter getOrCreate(String contextId) {
        ContextWriter log = findForWriter(contextId);
        if (log == null) {
            log = new ContextWriter(contextId, records);
            contexts.put(contextId, log);
            lastContextId = contextId;
            lastLog = log;
        }
        return log;
    }

    /** Every context; for recovery's final publish. */
    Collection<ContextWriter> all() {
        return contexts.values();
    }
}
