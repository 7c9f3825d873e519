package io.converge.ledger.perf.dashboard;

import java.util.Map;

/**
 * One sample of the Prometheus text format: a metric name, its labels (in the order the
 * server wrote them) and a value.
 */
record PromSample(String name, Map<String, String> labels, double value) {
}
