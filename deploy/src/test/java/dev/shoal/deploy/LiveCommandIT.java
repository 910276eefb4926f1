package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.illposed.osc.OSCMessage;
import com.illposed.osc.OSCParser;
import com.illposed.osc.OSCSerializerAndParserBuilder;
import dev.shoal.core.metrics.MetricsEndpoint;
import dev.shoal.ingest.FrameSource;
import dev.shoal.ingest.FrameSources;
import dev.shoal.ingest.SourceOptions;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.TrainingMethod;
import io.micrometer.core.instrument.search.Search;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code shoal live} on the synthetic arena through a real in-process broker, with the closed loop over UDP. */
class LiveCommandIT {

    private static final int FRAMES = 240;
    private static final int ANIMALS = 5;
    private static final double ZONE_X = 160;
    private static final double ZONE_Y = 160;
    private static final double ZONE_RADIUS = 90;

    @TempDir
    Path temp;

    @Test
    void finiteArenaIsTrackedEveryFrameAndEachZoneEntryArrivesAsAnOscDatagram() throws Exception {
        try (DatagramSocket listener = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path rules = Files.writeString(temp.resolve("rules.yaml"), """
                    rules:
                      - name: centre-entry
                        type: zone-enter
                        zone: {circle: {x: %s, y: %s, radius: %s}}
                    osc: {host: 127.0.0.1, port: %d}
                    """.formatted(ZONE_X, ZONE_Y, ZONE_RADIUS, listener.getLocalPort()));
            List<OSCMessage> datagrams = new ArrayList<>();
            CompletableFuture<Void> receiving = CompletableFuture.runAsync(() -> receive(listener, datagrams));
            Path out = temp.resolve("out");
            StringWriter err = new StringWriter();

            int code = ShoalCommand.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "live",
                    "--source", "arena:animals=" + ANIMALS + ",fps=30,frames=" + FRAMES + ",seed=4,size=320x320",
                    "--animals", Integer.toString(ANIMALS), "--rules", rules.toString(), "--out", out.toString(),
                    "--work-dir", temp.toString(), "--crop-size", "0", "--warmup-seconds", "2", "--no-metrics");

            listener.close();
            receiving.get(10, TimeUnit.SECONDS);
            assertEquals(0, code, err.toString());
            String report = err.toString();
            assertTrue(report.contains("source ended") && report.contains(FRAMES + " frames read, " + FRAMES
                    + " published, 0 dropped, " + FRAMES + " tracked"), report);

            Map<Long, List<double[]>> positions = positionsByFrame(out.resolve("trajectories.csv"));
            assertEquals(FRAMES, positions.size(), "every frame has tracks");
            assertFalse(datagrams.isEmpty(), "animals entered the zone in " + FRAMES + " frames; report: " + report);
            assertTrue(report.contains(datagrams.size() + " stimulus commands"), "one datagram per command: " + report);
            for (OSCMessage message : datagrams) {
                assertEquals("/shoal/centre-entry", message.getAddress());
                List<Object> args = message.getArguments();
                assertTrue(((String) args.get(0)).startsWith("live-"), "session " + args.get(0));
                long frame = ((Integer) args.get(1)).longValue();
                assertTrue(Long.parseLong((String) args.get(3)) >= Long.parseLong((String) args.get(2)),
                        "decision after capture");
                // The rule fired on the tracks that were written: some animal is in the zone on that frame.
                assertTrue(positions.get(frame).stream()
                                .anyMatch(p -> Math.hypot(p[0] - ZONE_X, p[1] - ZONE_Y) < ZONE_RADIUS),
                        "frame " + frame + " has an animal in the zone");
            }
            try (var files = Files.list(out)) {
                assertEquals(List.of("trajectories.csv"), files.map(p -> p.getFileName().toString()).toList(),
                        "no temporary file left");
            }
        }
    }

    @Test
    void aStopRequestDrainsWhatWasPublishedAndWritesTheTrajectories() throws Exception {
        Path out = temp.resolve("stopped");
        Files.createDirectories(out);
        try (FrameSource source = FrameSources.openArena("arena:animals=4,fps=30,size=320x320,seed=2",
                SourceOptions.defaults().withPaced(true), new DeferredTruthListener());
             MetricsEndpoint metrics = MetricsEndpoint.start(0)) {
            LiveJob job = new LiveJob(source, null, new LiveJob.Settings(4, out, null, temp,
                    new SegmentationSettings(Polarity.DARK_ON_LIGHT, 0, 10, 320 * 320 / 10, 0),
                    new WarmUp(1, 30, 0, 4, true), null, 32, "cam0", null, TrainingMethod.CLASSIC, false), metrics);
            CompletableFuture<LiveReport> run = CompletableFuture.supplyAsync(() -> {
                try {
                    return job.run(new PrintWriter(new StringWriter()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // An endless source: stop once the identifier has published tracks for a while.
            while (!run.isDone() && trackedFrames(metrics) < 60) {
                Thread.sleep(100);
            }
            job.requestStop();
            LiveReport report = run.get(120, TimeUnit.SECONDS);

            assertEquals("stopped", report.ending());
            assertTrue(report.framesPublished() >= 60, report.describe());
            // The 1 s warm-up (30 frames, fewer if ingest dropped some) and any frames behind the newest then.
            assertTrue(report.framesSkipped() > 0, report.describe());
            assertEquals(report.framesPublished() - report.framesSkipped(), report.framesTracked(),
                    "every frame after the warm-up reached the writer: " + report.describe());
            assertEquals(0, report.inFlight(), "the writer got the end marker ingest sent on the stop");
            assertEquals(out.resolve("trajectories.csv"), report.trajectories());
            assertEquals(report.framesTracked(), positionsByFrame(report.trajectories()).size());
        }
    }

    private static double trackedFrames(MetricsEndpoint metrics) {
        var counter = Search.in(metrics.registry()).name("shoal.frames.out").tag("stage", "identifier").counter();
        return counter == null ? 0 : counter.count();
    }

    private static Map<Long, List<double[]>> positionsByFrame(Path csv) throws Exception {
        Map<Long, List<double[]>> positions = new HashMap<>();
        List<String> lines = Files.readAllLines(csv);
        assertEquals("frame,time_s,identity,x,y,angle,confidence,fragment,interpolated", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] row = line.split(",");
            positions.computeIfAbsent(Long.parseLong(row[0]), f -> new ArrayList<>())
                    .add(new double[] {Double.parseDouble(row[3]), Double.parseDouble(row[4])});
        }
        return positions;
    }

    /** Collects OSC datagrams until the socket is closed. */
    private static void receive(DatagramSocket listener, List<OSCMessage> into) {
        OSCParser parser = new OSCSerializerAndParserBuilder().buildParser();
        byte[] buffer = new byte[1500];
        try {
            listener.setSoTimeout(200);
            while (!listener.isClosed()) {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    listener.receive(packet);
                } catch (SocketTimeoutException idle) {
                    continue;
                }
                synchronized (into) {
                    into.add((OSCMessage) parser.convert(ByteBuffer.wrap(packet.getData(), 0, packet.getLength())));
                }
            }
        } catch (SocketException closed) {
            // The test closed the socket: done.
        } catch (Exception e) {
            throw new IllegalStateException("OSC listener failed: " + e, e);
        }
    }
}
