package io.converge.ledger.cluster;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps SIGTERM and SIGINT doing what the JVM makes them do (run the shutdown hooks and exit)
 * in a process that starts Aeron: Agrona's {@code ShutdownSignalBarrier}, which an Aeron context
 * creates when it is given none, takes both signals over when its class loads, and its handlers
 * only release its barriers, so without this a cluster member ignores SIGTERM. Through
 * {@code sun.misc.Signal} by reflection, as transport's SighupReload does (javac's warning
 * about it cannot be suppressed, and the build treats warnings as errors).
 */
final class JvmSignals {
    private static final String[] NAMES = {"TERM", "INT"};
    private static final int[] NUMBERS = {15, 2};

    private JvmSignals() {
    }

    /**
     * Reads the handlers of SIGTERM and SIGINT as they are now.
     *
     * @return what puts them back; does nothing where the JVM offers no such signals
     */
    static Runnable save() {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> named = signal.getConstructor(String.class);
            Method handle = signal.getMethod("handle", signal, handler);
            List<Object[]> saved = new ArrayList<>();
            for (int i = 0; i < NAMES.length; i++) {
                Object sig = named.newInstance(NAMES[i]);
                int status = 128 + NUMBERS[i];
                // Reading a handler means setting one: for that instant, one that does what the JVM's does.
                Object exits = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                    (self, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            System.exit(status);
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> "exit " + status;
                    });
                Object old = handle.invoke(null, sig, exits);
                handle.invoke(null, sig, old);
                saved.add(new Object[] {sig, old});
            }
            return () -> {
                for (Object[] s : saved) {
                    try {
                        handle.invoke(null, s[0], s[1]);
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        System.getLogger(JvmSignals.class.getName()).log(System.Logger.Level.WARNING,
                            "could not give SIG" + s[0] + " back to the JVM: " + e);
                    }
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            return () -> { };
        }
    }
}
