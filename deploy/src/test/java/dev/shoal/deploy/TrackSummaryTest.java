package dev.shoal.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.Track;
import dev.shoal.core.proto.TrainingMetrics;
import dev.shoal.identifier.FragmentStitcher;
import dev.shoal.identifier.TrajectoryPostProcessor;
import dev.shoal.identifier.TrajectoryTable;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrackSummaryTest {

    @TempDir
    Path temp;

    /** Two animals walking right; animal 2 is missing from frames 10-14 (a gap the writer interpolates). */
    private static List<TrajectoryTable.Row> rowsWithAGap() {
        List<TrajectoryTable.Row> rows = new ArrayList<>();
        for (long f = 0; f < 40; f++) {
            for (long id = 1; id <= 2; id++) {
                if (id == 2 && f >= 10 && f < 15) {
                    continue;
                }
                rows.add(new TrajectoryTable.Row(f, f / 10.0, Track.newBuilder().setIdentity(id)
                        .setX(100 * id + 2 * f).setY(50 * id).setConfidence(0.99).setFragment(id).build()));
            }
        }
        return rows;
    }

    private static TrackSummary summary(TrackSummary.Identities identities) {
        return new TrackSummary("v.mp4", "s", 2, 640, 480, 10, 40, 80, 2, 1, Map.of("2", 40L), 4, 10, 1, true, 1,
                new TrackSummary.Stages(0, 0, 0, 0, 0), 1, 2, 0, identities);
    }

    @Test
    void summaryJsonCarriesWhatThePostProcessorRepaired() throws Exception {
        TrajectoryPostProcessor.Repairs repairs = new TrajectoryPostProcessor(
                TrajectoryPostProcessor.Options.defaults(10)).process(rowsWithAGap()).repairs();
        assertEquals(5, repairs.rowsInterpolated(), "the gap of animal 2");
        ModelRelease release = ModelRelease.newBuilder().setSession("s").setVersion(3)
                .setOnnx(ByteString.copyFromUtf8("model")).setNote("final")
                .setMetrics(TrainingMetrics.newBuilder().setMethod("classic").setValidationAccuracy(0.99)).build();
        Path json = temp.resolve("summary.json");
        summary(TrackSummary.Identities.of(release, 70, 1, 1, repairs, null)).writeTo(json);

        JsonNode written = new ObjectMapper().readTree(json.toFile()).get("identities").get("repairs");
        assertEquals(5, written.get("rows_interpolated").asInt());
        assertEquals(repairs.rowsPlacedByCrossings(), written.get("rows_placed_by_crossings").asInt());
        assertEquals(repairs.jumpRowsDropped(), written.get("jump_rows_dropped").asInt());
        assertEquals(repairs.duplicatesResolved(), written.get("duplicates_resolved").asInt());
        assertEquals(repairs.speedLimit(), written.get("speed_limit_px_per_frame").asDouble(), 1e-12);
        assertTrue(summary(TrackSummary.Identities.of(release, 70, 1, 1, repairs, null)).report()
                .contains("5 rows interpolated"), "the report says so too");
    }

    @Test
    void provisionalIdentitiesHaveNoRepairs() throws Exception {
        Path json = temp.resolve("summary.json");
        summary(TrackSummary.PROVISIONAL).writeTo(json);
        assertTrue(new ObjectMapper().readTree(json.toFile()).get("identities").get("repairs").isNull(),
                "the streaming writer does not post-process");
    }

    @Test
    void summarySaysIdentitiesCameFromMotionWhenTheWriterStitchedFragments() throws Exception {
        FragmentStitcher.Result stitched = new FragmentStitcher(FragmentStitcher.Options.defaults(2))
                .stitch(rowsWithAGap());
        ModelRelease release = ModelRelease.newBuilder().setSession("s").setVersion(1)
                .setNote("no global fragment to learn from").build();
        Path json = temp.resolve("summary.json");
        TrackSummary summary = summary(TrackSummary.Identities.of(release, 0, 0, 0, null, stitched));
        summary.writeTo(json);

        JsonNode written = new ObjectMapper().readTree(json.toFile()).get("identities");
        assertEquals("motion", written.get("method").asText());
        assertEquals(0, written.get("model_version").asInt());
        assertEquals("no global fragment to learn from; 2 of 2 fragments stitched into 2 identities by motion",
                written.get("note").asText());
        assertTrue(summary.report().contains("identities from motion"), summary.report());
    }
}
