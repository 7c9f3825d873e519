package io.converge.ledger.transport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.provider.Arguments;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Base of the contract tests: each test gets a fresh server and channel over the
 * {@link Transport} and on the {@link Storage} that the subclass's
 * {@code @ParameterizedClass @MethodSource(SERVERS)} injects, so every contract test runs
 * in-process and over Netty on loopback, each with records in memory and in files.
 *
 * <p>They also run against a follower of a fresh 3-member cluster
 * ({@link Transport#NETTY_CLUSTER_MEMBER}, with file storage, the server's default), one cluster per
 * test. By default only the classes in {@link #CLUSTER_DEFAULT} do (a cluster takes about a second
 * to start and stop); every class does with {@code -Dledger.contract.cluster=all} (the README's
 * "Contract" section), and none with {@code -Dledger.contract.cluster=none}. A class or
 * test marked {@link StandaloneOnly} never does: the classes drop the cluster variant, the
 * tests are skipped with the reason.
 */
abstract class ServedOverBothTransports {
    /** The parameter source of every contract test class: each transport with each storage. */
    static final String SERVERS = "io.converge.ledger.transport.ServedOverBothTransports#servers";

    /** Which contract classes run against a cluster member: {@code default}, {@code all} or {@code none}. */
    static final String CLUSTER_PROPERTY = "ledger.contract.cluster";

    /**
     * The contract classes that run against a cluster member in the default run (the CI's): the
     * writes, Get and Watch, 42 tests at a cluster each (about 75 s). Bad input is refused at the
     * edge before any cluster work (its 24 cases took 32 s more); Load and Snapshot through the log
     * are the cluster module's ClusterWritesTest and ClusterSnapshotTest in the default run.
     */
    static final Set<String> CLUSTER_DEFAULT = Set.of(
        "AppendContractTest", "AppendBatchContractTest", "AppendStreamContractTest", "GetContractTest",
        "WatchContractTest");

    @Parameter(0)
    Transport transport;

    @Parameter(1)
    Storage storage;

    @TempDir
    Path tempDir;

    LedgerFixture fixture;

    /** @param info names the contract class whose parameters these are */
    static List<Arguments> servers(TestInfo info) {
        List<Arguments> servers = new ArrayList<>();
        for (Transport t : Transport.STANDALONE) {
            for (Storage s : Storage.values()) {
                servers.add(Arguments.of(t, s));
            }
        }
        if (info.getTestClass().map(ServedOverBothTransports::againstACluster).orElse(false)) {
            servers.add(Arguments.of(Transport.NETTY_CLUSTER_MEMBER, Storage.FILES));
        }
        return servers;
    }

    /** Whether {@code contract}'s tests run against a cluster member in this run. */
    static boolean againstACluster(Class<?> contract) {
        if (contract.isAnnotationPresent(StandaloneOnly.class)) {
            return false;
        }
        String which = System.getProperty(CLUSTER_PROPERTY, "default").trim();
        return switch (which) {
            case "all" -> true;
            case "none" -> false;
            case "default", "" -> CLUSTER_DEFAULT.contains(contract.getSimpleName());
            default -> throw new IllegalArgumentException("-D" + CLUSTER_PROPERTY + " is default, all or none, not '"
                + which + "'");
        };
    }

    /** The server's settings; the defaults unless a test class needs other limits. */
    ServerSettings settings() {
        return ServerSettings.defaults();
    }

    @BeforeEach
    void startServer(TestInfo info) throws IOException {
        if (transport.clustered()) {
            StandaloneOnly standalone = info.getTestMethod().map(m -> m.getAnnotation(StandaloneOnly.class)).orElse(null);
            assumeTrue(standalone == null, () -> "standalone only: " + standalone.value());
        }
        fixture = LedgerFixture.start(transport, storage.applyTo(settings(), tempDir));
    }

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }
}
