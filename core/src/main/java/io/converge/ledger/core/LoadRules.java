package io.converge.ledger.core;

/**
 * The contract's Load rules, applied by the sequencer atomically with respect to appends:
 * {@code fail_if_exists}; entries at or below the target's latest skipped; the rest must
 * continue the target without a gap; ids kept for the snapshot's own context and fresh
 * otherwise; append times never decreasing; the memory budget and the store's room for
 * all of it, or nothing. Sequencer thread only.
 *
 * <p>A kept id that carries this instance's own high bits is refused (INVALID_ARGUMENT):
 * every id this instance issued lives in the context it was issued for, at its sequence,
 * so a genuine snapshot of that context holds it only at or below the target's latest,
 * where it is skipped. Such an id past the latest can only be a copy of an id of another
 * context, which would then be held twice.
 */
final class LoadRules {
    private final ContextStore contexts;
    private final EntryWriter writer;
    private final MemoryBudget budget;
    private final EntryIds ids;
    private final LedgerStats stats;

    LoadRules(ContextStore contexts, EntryWriter writer, MemoryBudget budget, EntryIds ids, LedgerStats stats) {
        this.contexts = contexts;
        this.writer = writer;
        this.budget = budget;
        this.ids = ids;
        this.stats = stats;
    }

    /** Restores {@code c.snapshot} into {@code c.contextId}, or sets {@code c.rejection}; sets the outcome. */
    void apply(LedgerCommand c) {
        DecodedSnapshot s = c.snapshot;
        ContextWriter existing = contexts.findForWriter(c.contextId);
        long latest = existing == null ? 0 : existing.latestSequence();
        if (c.failIfExists && latest > 0) {
            c.rejection = new LedgerException(LedgerException.Reason.ALREADY_EXISTS, "context " + c.contextId
                + " already has " + latest + " entries and fail_if_exists is set");
            return;
        }
        int n = s.size();
        int skip = (int) Math.max(0, Math.min(n, latest + 1 - s.firstSequence()));
        if (skip == n) {
            c.entriesRestored = 0;
            c.sequence = latest;
            return;
        }
        long continueAt = s.firstSequence() + skip;
        if (continueAt != latest + 1) {
            c.rejection = new LedgerException(LedgerException.Reason.FAILED_PRECONDITION, "snapshot entries start at"
                + " sequence " + continueAt + " but context " + c.contextId + " continues at " + (latest + 1)
                + ": loading them would leave a gap");
            return;
        }
        int contextIdBytes = InputRules.utf8Length(c.contextId);
        boolean keepIds = s.contextId().equals(c.contextId);
        long recordBytes = 0;
        int largest = 0;
        for (int i = skip; i < n; i++) {
            if (keepIds && !c.trustedIds && s.idHi(i) == ids.instanceBits()) {
                c.rejection = LedgerException.invalid("snapshot's entry at sequence " + (s.firstSequence() + i)
                    + " keeps id " + EntryIds.format(s.idHi(i), s.idLo(i)) + ", which carries this server's own"
                    + " instance bits but is not in context " + c.contextId + ": the snapshot is forged");
                return;
            }
            int size = s.recordBytes(i, contextIdBytes);
            recordBytes += size;
            largest = Math.max(largest, size);
        }
        long cost = budget.ofEntries(n - skip, recordBytes) + (existing == null ? MemoryBudget.ofContext(c.contextId) : 0);
        if (!budget.admits(cost)) {
            c.rejection = budget.spent(cost);
            return;
        }
        try {
            contexts.records().ensureRoom(recordBytes, largest);
        } catch (LedgerException e) {
            stats.storeRefused();
            c.rejection = e;
            return;
        }
        ContextWriter log = existing != null ? existing : contexts.getOrCreate(c.contextId); // its cost is in cost
        for (int i = skip; i < n; i++) {
            long idHi = keepIds ? s.idHi(i) : ids.instanceBits();
            long idLo = keepIds ? s.idLo(i) : ids.next();
            long appendedAt = Math.max(s.appendedAtNs(i), log.lastAppendedAtNs());
            writer.write(log, idHi, idLo, appendedAt, s.key(i), s.payload(i), s.metadata(i));
        }
        log.publish();
        budget.charge(n - skip, cost);
        c.entriesRestored = n - skip;
        c.sequence = log.latestSequence();
    }
}
