import com.google.protobuf.ByteString;
import io.converge.context.v1.AppendRequest;
import io.converge.context.v1.ContextServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The failover probe of perf/scripts/cluster-figures.sh: one unary Append at a time, round robin
 * over the targets given (host:port,...), for as long as it runs. It prints a line when a call
 * fails after one that did not ("fail SENT_MS DONE_MS TARGET CODE"), and when a call succeeds
 * after a failure or took over 50 ms ("ok SENT_MS DONE_MS TARGET"), times in epoch ms: the first
 * ok line sent after a kill says when appends were accepted again. Its first success prints "ready ...".
 * Run with the perf jar on the class path (Java's single-file source launcher):
 *   java -cp perf/target/converge-ledger-perf.jar perf/scripts/FailoverProbe.java 127.0.0.1:P1,127.0.0.1:P2
 */
public final class FailoverProbe {
    public static void main(String[] args) throws InterruptedException {
        List<ContextServiceGrpc.ContextServiceBlockingStub> stubs = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (String t : args[0].split(",")) {
            int colon = t.lastIndexOf(':');
            ManagedChannel c = NettyChannelBuilder
                .forAddress(t.substring(0, colon), Integer.parseInt(t.substring(colon + 1))).usePlaintext().build();
            stubs.add(ContextServiceGrpc.newBlockingStub(c));
            names.add(t);
        }
        AppendRequest request = AppendRequest.newBuilder().setContextId("failover-probe").setKey("probe")
            .setPayload(ByteString.copyFromUtf8("probe")).build();
        boolean failing = false;
        boolean ready = false;
        for (long i = 0; ; i++) {
            int n = (int) (i % stubs.size());
            long sent = System.currentTimeMillis();
            try {
                stubs.get(n).withDeadlineAfter(10, TimeUnit.SECONDS).append(request);
                long done = System.currentTimeMillis();
                if (!ready) {
                    System.out.println("ready " + sent + " " + done + " " + names.get(n));
                    ready = true;
                } else if (failing || done - sent > 50) {
                    System.out.println("ok " + sent + " " + done + " " + names.get(n));
                }
                failing = false;
            } catch (StatusRuntimeException e) {
                long done = System.currentTimeMillis();
                if (!failing) {
                    System.out.println("fail " + sent + " " + done + " " + names.get(n) + " " + e.getStatus().getCode());
                }
                failing = true;
                Thread.sleep(5);
            }
        }
    }
}
