package io.converge.ledger.transport.security;

import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Runs an action on every SIGHUP, through the JDK's {@code sun.misc.Signal} (module
 * jdk.unsupported), reached by reflection: javac warns about it as a proprietary API with no
 * way to suppress the warning, and the build treats warnings as errors. The action runs on
 * the JVM's signal thread, one SIGHUP at a time.
 */
public final class SighupReload {
    private SighupReload() {
    }

    /**
     * Installs {@code action} as the SIGHUP handler.
     *
     * @return whether it is installed: false where the JVM offers no SIGHUP (Windows), and where
     *         the process was started with SIGHUP ignored (under {@code nohup}): the JVM then keeps
     *         it ignored and the handler would never run
     */
    public static boolean install(Runnable action) {
        try {
            Class<?> signal = Class.forName("sun.misc.Signal");
            Class<?> handler = Class.forName("sun.misc.SignalHandler");
            Constructor<?> named = signal.getConstructor(String.class);
            Object hup = named.newInstance("HUP");
            Object proxy = Proxy.newProxyInstance(handler.getClassLoader(), new Class<?>[] {handler},
                (self, method, args) -> {
                    if (method.getName().equals("handle")) {
                        action.run();
                        return null;
                    }
                    return switch (method.getName()) {
                        case "hashCode" -> System.identityHashCode(self);
                        case "equals" -> self == args[0];
                        default -> "SIGHUP handler";
                    };
                });
            Method handle = signal.getMethod("handle", signal, handler);
            Object before = handle.invoke(null, hup, proxy);
            Object ignored = handler.getField("SIG_IGN").get(null);
            return before != ignored;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false;
        }
    }
}
