package dev.shoal.deploy.bench;

import dev.shoal.deploy.ShoalCommand;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

/**
 * Runs a {@code shoal} command in its own JVM, so its wall time and peak memory are its own, and
 * reports both. The JVM is started from a manifest-only jar listing this JVM's class path: ONNX
 * Runtime's natives have crashed when loaded under a very long {@code -cp} argument, and the jar
 * works the same from {@code shoal.jar} and from a test class path.
 */
public final class ShoalProcess {

    /** How a run ended: exit code, wall seconds, peak resident memory (MB, 0 when unknown), last output line. */
    record Outcome(int exitCode, double wallSeconds, double peakRssMb, String lastLine) {
    }

    private final Path launcherJar;
    private final List<String> jvmOptions;

    private ShoalProcess(Path launcherJar, List<String> jvmOptions) {
        this.launcherJar = launcherJar;
        this.jvmOptions = jvmOptions;
    }

    /** Writes the launcher jar into {@code workDir}; JVM options come from SHOAL_JAVA_OPTS as for bin/shoal. */
    static ShoalProcess prepare(Path workDir) throws IOException {
        Path jar = writeLauncherJar(workDir);
        String options = System.getenv().getOrDefault("SHOAL_JAVA_OPTS", "-Xmx4g");
        return new ShoalProcess(jar, List.of(options.trim().split("\\s+")));
    }

    /**
     * Writes {@code workDir/shoal-launcher.jar}: a manifest-only jar whose class path is this JVM's and
     * whose main class is {@code shoal}'s, for {@code java -jar} in a child process.
     */
    public static Path writeLauncherJar(Path workDir) throws IOException {
        Manifest manifest = new Manifest();
        Attributes main = manifest.getMainAttributes();
        main.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        main.put(Attributes.Name.MAIN_CLASS, ShoalCommand.class.getName());
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                entries.add(Path.of(entry).toAbsolutePath().toUri().toString());
            }
        }
        main.put(Attributes.Name.CLASS_PATH, String.join(" ", entries));
        Path jar = workDir.resolve("shoal-launcher.jar");
        Path temporary = workDir.resolve(".shoal-launcher.jar.tmp");
        try (OutputStream out = Files.newOutputStream(temporary); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // The manifest is the whole jar.
        }
        Files.move(temporary, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return jar;
    }

    /** Runs {@code shoal ARGS}, copying its error stream (progress, report) to {@code err} as it comes. */
    Outcome run(List<String> args, PrintWriter err) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(launcherJar.toString());
        command.addAll(args);
        long start = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        PeakMemory peak = new PeakMemory(process.pid());
        Thread poller = new Thread(() -> {
            while (process.isAlive()) {
                peak.sample();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench-rss-" + process.pid());
        poller.setDaemon(true);
        poller.start();
        String last = copy(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8), err);
        int code = process.waitFor();
        double wall = (System.nanoTime() - start) / 1e9;
        poller.interrupt();
        return new Outcome(code, wall, peak.megabytes(), last);
    }

    /** Copies everything, returns the last non-blank line (lines end at '\n' or a progress line's '\r'). */
    private static String copy(Reader in, PrintWriter err) throws IOException {
        char[] buffer = new char[4096];
        StringBuilder line = new StringBuilder();
        String last = "";
        int n;
        while ((n = in.read(buffer)) >= 0) {
            err.write(buffer, 0, n);
            err.flush();
            for (int i = 0; i < n; i++) {
                char c = buffer[i];
                if (c == '\n' || c == '\r') {
                    if (!line.toString().isBlank()) {
                        last = line.toString().strip();
                    }
                    line.setLength(0);
                } else {
                    line.append(c);
                }
            }
        }
        return line.toString().isBlank() ? last : line.toString().strip();
    }

    /** The kernel's high-water mark of a process's resident memory (Linux /proc; 0 elsewhere). */
    private static final class PeakMemory {
        private final Path status;
        private volatile long kilobytes;

        PeakMemory(long pid) {
            this.status = Path.of("/proc", Long.toString(pid), "status");
        }

        void sample() {
            try {
                for (String line : Files.readAllLines(status)) {
                    if (line.startsWith("VmHWM:")) {
                        kilobytes = Math.max(kilobytes, Long.parseLong(line.replaceAll("[^0-9]", "")));
                    }
                }
            } catch (IOException | NumberFormatException exited) {
                // The process is gone (or this is not Linux): keep the last sample.
            }
        }

        double megabytes() {
            return kilobytes / 1024.0;
        }
    }
}
