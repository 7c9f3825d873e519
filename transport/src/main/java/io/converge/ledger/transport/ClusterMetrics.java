package io.converge.ledger.transport;

import io.converge.ledger.cluster.ClusterNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Cluster mode's meters: this member's role, the commit position it knows, the position its
 * store is applied to, the lag between them, and the writes from here still waiting. Read
 * when scraped; nothing on the write path.
 */
final class ClusterMetrics {
    private ClusterMetrics() {
    }

    static void bind(MeterRegistry registry, ClusterNode node) {
        String member = String.valueOf(node.settings().memberId());
        Gauge.builder("ledger.cluster.role", node, ClusterNode::roleCode)
            .description("this member's role: 0 follower, 1 candidate, 2 leader").tag("member", member)
            .register(registry);
        Gauge.builder("ledger.cluster.commit.position", node, ClusterNode::commitPosition).baseUnit("bytes")
            .description("the log position the cluster committed, as this member knows it").tag("member", member)
            .register(registry);
        Gauge.builder("ledger.cluster.applied.position", node, ClusterNode::appliedPosition).baseUnit("bytes")
            .description("the log position this member's store holds everything up to").tag("member", member)
            .register(registry);
        Gauge.builder("ledger.cluster.apply.lag", node, n -> Math.max(0, n.commitPosition() - n.appliedPosition()))
            .baseUnit("bytes").description("committed log this member has not applied yet").tag("member", member)
            .register(registry);
        Gauge.builder("ledger.cluster.writes.waiting", node, ClusterNode::writesWaiting)
            .description("log messages forwarded from this member not yet applied here").tag("member", member)
            .register(registry);
    }
}
