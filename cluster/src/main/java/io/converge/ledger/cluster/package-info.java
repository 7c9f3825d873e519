/** Cluster mode: Aeron Cluster replicates the ledger's writes; see docs/CLUSTER.md. */
package io.converge.ledger.cluster;
