package dev.shoal.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.kafka.EmbeddedKafkaBroker;
import dev.shoal.core.kafka.KafkaSettings;
import dev.shoal.core.kafka.Serdes;
import dev.shoal.core.kafka.TopicAdmin;
import dev.shoal.core.kafka.Topics;
import dev.shoal.core.proto.Frame;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Replays of recordings on the real embedded broker (four partitions, other sessions interleaved). */
class FrameReplayerIT {

    @TempDir
    static Path temp;

    private static EmbeddedKafkaBroker broker;
    private static KafkaSettings settings;
    /** Recorded capture times of session "rec", 60 frames at about 30 fps with uneven gaps, in ns. */
    private static long[] recorded;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @BeforeAll
    static void record() throws Exception {
        broker = EmbeddedKafkaBroker.start(temp);
        settings = KafkaSettings.of(broker.bootstrap());
        TopicAdmin.createTopics(settings, Topics.all(4, settings.maxRecordBytes()));
        recorded = new long[60];
        long t = 5_000_000_000L;
        for (int i = 0; i < recorded.length; i++) {
            recorded[i] = t;
            // Uneven gaps (23 to 43 ms) show that pacing follows the recording, not a fixed rate.
            t += 33_333_333L + (i % 3 - 1) * 10_000_000L;
        }
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(settings.producer("recorder"),
                new StringSerializer(), Serdes.FRAME.serializer())) {
            for (int i = 0; i < recorded.length; i++) {
                producer.send(new ProducerRecord<>(Topics.FRAMES, "rec", frame("rec", i, recorded[i], i == 59)));
                producer.send(new ProducerRecord<>(Topics.FRAMES, "other", frame("other", i, recorded[i], false)));
                // A long recording: one frame a second for a minute.
                producer.send(new ProducerRecord<>(Topics.FRAMES, "slow", frame("slow", i, i * 1_000_000_000L, i == 59)));
            }
        }
    }

    private static Frame frame(String session, int index, long capture, boolean last) {
        return Frame.newBuilder().setSession(session).setCamera("cam0").setIndex(index).setCaptureTimeNs(capture)
                .setWallTimeNs(capture).setMediaTimeS(index / 30.0).setWidth(4).setHeight(2)
                .setPixels(ByteString.copyFrom(new byte[] {(byte) index, 1, 2, 3, 4, 5, 6, 7}))
                .setFps(30).setLast(last).build();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @Test
    void replayAtOneTimesKeepsEveryFrameAndNeverRunsAheadOfTheRecording() throws Exception {
        FrameReplayer.Result result = new FrameReplayer(settings, registry)
                .replay("rec", null, null, ReplaySpeed.parse("1x"), "rec-1x");
        assertEquals(60, result.frames());
        List<Frame> replayed = RecordedFrames.of(settings, "rec-1x");
        assertEquals(60, replayed.size());
        for (int i = 0; i < 60; i++) {
            Frame f = replayed.get(i);
            assertEquals(i, f.getIndex());
            assertEquals(i, f.getPixels().byteAt(0));
            assertEquals(i == 59, f.getLast());
        }
        // How close to the schedule frames go out depends on the scheduler (PacerTest checks the schedule
        // itself); what must hold on any machine is that no frame leaves before it is due.
        assertNeverEarly(replayed, 1);
    }

    @Test
    void replayAtTwiceTheSpeedNeverRunsAheadOfHalfTheRecordedGaps() throws Exception {
        new FrameReplayer(settings, registry).replay("rec", null, null, ReplaySpeed.parse("2x"), "rec-2x");
        List<Frame> replayed = RecordedFrames.of(settings, "rec-2x");
        assertEquals(60, replayed.size());
        assertNeverEarly(replayed, 2);
    }

    private static void assertNeverEarly(List<Frame> replayed, double speed) {
        long start = replayed.get(0).getCaptureTimeNs();
        for (int i = 1; i < replayed.size(); i++) {
            long due = Math.round((recorded[i] - recorded[0]) / speed);
            long sent = replayed.get(i).getCaptureTimeNs() - start;
            assertTrue(sent >= due - 1, "frame " + i + " sent " + (due - sent) / 1e6 + " ms before it was due");
        }
    }

    @Test
    void replayAtMaxDoesNotWaitForTheRecordedPace() throws Exception {
        FrameReplayer.Result result = new FrameReplayer(settings, registry)
                .replay("slow", null, null, ReplaySpeed.MAX, "slow-max");
        assertEquals(60, result.frames());
        assertTrue(result.seconds() < 20, "a minute-long recording replayed at max in " + result.seconds() + " s");
        List<Frame> replayed = RecordedFrames.of(settings, "slow-max");
        assertEquals(60, replayed.size());
        assertTrue(replayed.get(59).getLast());
    }

    @Test
    void replayFromAFrameToATimeTakesJustThatRange() throws Exception {
        FrameReplayer.Result result = new FrameReplayer(settings, registry).replay("rec",
                StreamPosition.parse("--from", "10"), StreamPosition.parse("--to", "1.0s"), ReplaySpeed.MAX, "rec-range");
        int expectedEnd = 0;
        while (expectedEnd < 60 && recorded[expectedEnd] - recorded[0] < 1_000_000_000L) {
            expectedEnd++;
        }
        List<Frame> replayed = RecordedFrames.of(settings, "rec-range");
        assertEquals(expectedEnd - 10, replayed.size());
        assertEquals(10, result.firstIndex());
        assertEquals(expectedEnd - 1, result.lastIndex());
        assertEquals(10, replayed.get(0).getIndex());
        assertTrue(replayed.get(replayed.size() - 1).getLast(), "the range's final frame is marked last");
    }

    @Test
    void unknownSessionIsOneLineError() {
        BadInputException e = assertThrows(BadInputException.class, () -> new FrameReplayer(settings, registry)
                .replay("never-recorded", null, null, ReplaySpeed.MAX, "x"));
        assertTrue(e.getMessage().startsWith("--session never-recorded: no recorded frames"), e.getMessage());
    }
}
