package dev.shoal.trainer;

import java.nio.file.Path;

/**
 * Keeps DJL from ever reaching the network: the PyTorch natives come from the Maven Central jars on
 * the classpath and are unpacked once into a cache directory. Settings given on the command line or
 * in the environment win; this only fills in what is missing, before the engine first loads.
 */
public final class OfflineEngine {

    private OfflineEngine() {
    }

    /** Offline mode, one intra-op and one inter-op thread, and the cache under {@code ~/.cache/shoal/djl}. */
    public static void configure() {
        setIfAbsent("ai.djl.offline", "true");
        // One thread trained more steadily than two while decoding and scoring share the cores.
        setIfAbsent("ai.djl.pytorch.num_threads", "1");
        setIfAbsent("ai.djl.pytorch.num_interop_threads", "1");
        String cache = Path.of(System.getProperty("user.home"), ".cache", "shoal", "djl").toString();
        for (String key : new String[] {"DJL_CACHE_DIR", "ENGINE_CACHE_DIR"}) {
            if (System.getenv(key) == null) {
                setIfAbsent(key, cache);
            }
        }
    }

    private static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
