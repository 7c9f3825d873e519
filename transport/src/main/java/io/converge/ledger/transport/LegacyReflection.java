package io.converge.ledger.transport;

import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionService;

/**
 * The v1alpha server reflection service, which older grpcurl releases and other stock
 * tools still ask for before (or instead of) v1.
 */
final class LegacyReflection {
    private LegacyReflection() {
    }

    // Deprecated in grpc-java in favour of v1, which we serve too; kept for older clients.
    @SuppressWarnings("deprecation")
    static BindableService service() {
        return ProtoReflectionService.newInstance();
    }
}
