package dev.shoal.deploy;

import dev.shoal.core.io.AtomicFile;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.TrainingMetrics;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.shoal.identifier.FragmentStitcher;
import dev.shoal.identifier.TrajectoryPostProcessor;
import dev.shoal.identifier.TrajectoryStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** What {@code track} reports at the end and writes as summary.json. */
record TrackSummary(String video, String session, int animals, int width, int height, double videoFps,
                    long frames, long rows, double blobsPerFrame, double framesWithAllAnimals,
                    Map<String, Long> framesByBlobCount, double wallSeconds, double processingFps,
                    double realTimeFactor, boolean embeddedBroker, double brokerStartSeconds, Stages stageSeconds,
                    double latencyP50Ms, double latencyP99Ms, long globalFragments, Identities identities) {

    /** Busy time per stage, seconds. */
    record Stages(double ingestDecode, double segmenter, double trainer, double identifier, double writer) {
    }

    /**
     * What the writer's post-processing ({@link TrajectoryPostProcessor}) did to the trajectories, so a
     * reader sees how much of the file was repaired rather than tracked.
     *
     * @param speedLimitPxPerFrame the learnt speed above which a step is an impossible jump
     */
    record Repairs(double speedLimitPxPerFrame, int duplicatesResolved, int jumpRowsDropped, int rowsInterpolated,
                   int rowsPlacedByCrossings) {

        /** Null in, null out: the streaming (provisional) writer does not post-process. */
        static Repairs of(TrajectoryPostProcessor.Repairs repairs) {
            return repairs == null ? null : new Repairs(repairs.speedLimit(), repairs.duplicatesResolved(),
                    repairs.jumpRowsDropped(), repairs.rowsInterpolated(), repairs.rowsPlacedByCrossings());
        }
    }

    /**
     * Where the identities came from: the last model the trainer released (version 0 and method
     * "provisional" when identities are fragment ids, "motion" when no model came and the writer
     * stitched the fragments into N identities by motion), its training figures, the identifier's work,
     * and the trajectory repairs after it (null when nothing was post-processed).
     */
    record Identities(long modelVersion, String method, String note, long trainingImages, int globalFragmentsUsed,
                      double validationAccuracy, double trainingSeconds, long cropsScored, long correctionsPublished,
                      long correctionsApplied, Repairs repairs) {

        static Identities of(ModelRelease last, long cropsScored, long correctionsPublished, long correctionsApplied,
                             TrajectoryPostProcessor.Repairs repairs, FragmentStitcher.Result stitched) {
            if (last == null || last.getOnnx().isEmpty()) {
                String why = last == null ? "no model was released" : last.getNote();
                String note = stitched == null ? why : String.format(Locale.ROOT, "%s; %d of %d fragments stitched"
                        + " into %d identities by motion", why, stitched.fragmentsPlaced(), stitched.fragments(),
                        stitched.identities());
                return new Identities(0, stitched == null ? "provisional" : "motion", note, 0, 0, 0, 0, cropsScored,
                        correctionsPublished, correctionsApplied, Repairs.of(repairs));
            }
            TrainingMetrics m = last.getMetrics();
            return new Identities(last.getVersion(), m.getMethod(), last.getNote(), m.getImages(),
                    m.getGlobalFragments(), m.getValidationAccuracy(), m.getTrainingSeconds(), cropsScored,
                    correctionsPublished, correctionsApplied, Repairs.of(repairs));
        }

        String describe() {
            return modelVersion == 0 ? ("motion".equals(method) ? "identities from motion: "
                    : "identities provisional (fragment ids): ") + note
                    : String.format(Locale.ROOT, "identities from model v%d (%s, %d images from %d global fragments,"
                            + " validation accuracy %.2f%%, %.1f s training); %d crops scored, %d corrections",
                    modelVersion, method, trainingImages, globalFragmentsUsed, 100 * validationAccuracy,
                    trainingSeconds, cropsScored, correctionsApplied) + (repairs == null ? ""
                    : String.format(Locale.ROOT, "; repairs: %d rows interpolated (%d placed by crossings),"
                            + " %d jump rows dropped, %d duplicates resolved", repairs.rowsInterpolated(),
                    repairs.rowsPlacedByCrossings(), repairs.jumpRowsDropped(), repairs.duplicatesResolved()));
        }
    }

    static final Identities PROVISIONAL = new Identities(0, "provisional",
            "identification crops are off (--crop-size 0)", 0, 0, 0, 0, 0, 0, 0, null);

    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    TrackSummary(String video, String session, int animals, int width, int height, double videoFps,
                 TrajectoryStats stats, double wallSeconds, double brokerStartSeconds, boolean embeddedBroker,
                 Stages stages, long globalFragments, Identities identities) {
        this(video, session, animals, width, height, videoFps, stats.frames(), stats.rows(),
                stats.meanTracksPerFrame(), stats.fractionWithExactly(animals), byCount(stats), wallSeconds,
                stats.frames() / wallSeconds,
                videoFps > 0 ? stats.frames() / videoFps / wallSeconds : 0, embeddedBroker, brokerStartSeconds,
                stages, stats.latencyMillis(0.5), stats.latencyMillis(0.99), globalFragments, identities);
    }

    private static Map<String, Long> byCount(TrajectoryStats stats) {
        Map<String, Long> out = new LinkedHashMap<>();
        stats.framesByTrackCount().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.put(Integer.toString(e.getKey()), e.getValue()));
        return out;
    }

    /** Writes the summary as JSON to a temporary file and renames it into place. */
    void writeTo(Path target) throws IOException {
        AtomicFile.write(target, JSON.writeValueAsBytes(this));
    }

    /** A short human report for the end of a run. */
    String report() {
        return String.format(Locale.ROOT,
                "tracked %d frames (%dx%d) in %.1f s: %.0f fps, %.1fx real time; %.2f blobs/frame, %.1f%% of frames"
                        + " with all %d animals; %d global fragments; capture-to-trajectory latency p50 %.0f ms,"
                        + " p99 %.0f ms%s; %s",
                frames, width, height, wallSeconds, processingFps, realTimeFactor, blobsPerFrame,
                100 * framesWithAllAnimals, animals, globalFragments, latencyP50Ms, latencyP99Ms,
                embeddedBroker ? String.format(Locale.ROOT, "; embedded broker started in %.1f s", brokerStartSeconds) : "",
                identities.describe());
    }
}
