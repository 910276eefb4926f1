package dev.shoal.deploy.serve;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.shoal.core.BadInputException;
import dev.shoal.identifier.IdentificationService;
import dev.shoal.segmenter.Polarity;
import dev.shoal.segmenter.SegmentationSettings;
import dev.shoal.segmenter.WarmUp;
import dev.shoal.trainer.TrainingMethod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The configuration every {@code shoal serve} service reads (one file, e.g. one Kubernetes ConfigMap,
 * for all of them; each takes its part). YAML, every field optional except {@code animals}:
 * <pre>
 * animals: 5                      # animals per session (identities 1..animals)
 * kafka:   {partitions: 6, replication_factor: 3}   # topics created with these if missing
 * segmentation: {polarity: DARK_ON_LIGHT, threshold: 0, min_area: 0, max_area: 0, opening: 0,
 *                crop_size: 52, warm_up_seconds: 0}
 * identifier: {window_frames: 0, batch_crops: 64, max_delay_ms: 2}   # window 0: a new model re-scores the whole
 *                               # session; a micro-batch is scored at batch_crops or after max_delay_ms
 * trainer: {store: /var/lib/shoal/trainer, method: CLASSIC}   # or PAIRWISE, CONTRASTIVE
 * writer:  {out_dir: /var/lib/shoal/trajectories, max_gap_frames: 25, parquet: false}   # parquet: also trajectories.parquet
 * ingest:  {sources: ["arena:animals=5,frames=300"], session: run-1, camera: cam0, paced: false, queue: 32}
 * </pre>
 * An unknown field or a bad value stops start-up with one line naming the file, the field and the fix.
 */
public record ServeConfig(Integer animals, Kafka kafka, Segmentation segmentation, Identifier identifier,
                          Trainer trainer, Writer writer, Ingest ingest) {

    /** Topic layout: partitions bound how many segmenter and identifier instances share the load. */
    public record Kafka(Integer partitions, Short replicationFactor) {
    }

    /** As {@code shoal track}'s options of the same names. */
    public record Segmentation(Polarity polarity, Integer threshold, Integer minArea, Integer maxArea, Integer opening,
                               Integer cropSize, Double warmUpSeconds) {
    }

    /** {@code batchCrops}, {@code maxDelayMs}: a micro-batch of crops is scored when it holds this many, or after this wait. */
    public record Identifier(Long windowFrames, Integer batchCrops, Double maxDelayMs) {
    }

    /** {@code method}: as {@code shoal track --training-method}. */
    public record Trainer(Path store, TrainingMethod method) {
    }

    public record Writer(Path outDir, Integer maxGapFrames, Boolean parquet) {
    }

    /** As {@code shoal ingest}'s options; {@code queue}: frames a live source may have waiting before the oldest is dropped. */
    public record Ingest(List<String> sources, String session, String camera, Boolean paced, Integer queue) {
    }

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .build();

    /** Reads and checks {@code file}; every missing optional field gets its default. */
    public static ServeConfig read(Path file) {
        ServeConfig raw;
        try {
            raw = YAML.readValue(Files.readString(file), ServeConfig.class);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .map(ServeConfig::snake).collect(Collectors.joining(", "));
            throw new BadInputException(file + ": unknown field '" + path(e) + "'; known here: " + known);
        } catch (JsonMappingException e) {
            throw new BadInputException(file + ": field '" + path(e) + "': "
                    + e.getOriginalMessage().lines().findFirst().orElse("bad value") + "; fix its value");
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 0 : e.getLocation().getLineNr();
            throw new BadInputException(file + (line > 0 ? " line " + line : "") + ": not valid YAML ("
                    + e.getOriginalMessage().lines().findFirst().orElse("") + "); fix the syntax");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the config file (" + e.getMessage()
                    + "); give a readable YAML file");
        }
        if (raw == null) {
            throw new BadInputException(file + ": empty; give at least 'animals: N'");
        }
        return raw.withDefaults(file);
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining("."));
    }

    private static String snake(String name) {
        return PropertyNamingStrategies.SnakeCaseStrategy.INSTANCE.translate(name);
    }

    private ServeConfig withDefaults(Path file) {
        if (animals == null || animals < 1) {
            throw bad(file, "animals", animals, "give the number of animals per session, 1 or more");
        }
        Kafka k = kafka == null ? new Kafka(null, null) : kafka;
        k = new Kafka(k.partitions() == null ? 1 : k.partitions(),
                k.replicationFactor() == null ? 1 : k.replicationFactor());
        if (k.partitions() < 1) {
            throw bad(file, "kafka.partitions", k.partitions(), "give 1 or more (the most instances of a service that share the load)");
        }
        if (k.replicationFactor() < 1) {
            throw bad(file, "kafka.replication_factor", k.replicationFactor(), "give 1 or more, at most the number of brokers");
        }
        Segmentation s = segmentation == null ? new Segmentation(null, null, null, null, null, null, null) : segmentation;
        s = new Segmentation(s.polarity() == null ? Polarity.DARK_ON_LIGHT : s.polarity(), or(s.threshold(), 0),
                or(s.minArea(), 0), or(s.maxArea(), 0), or(s.opening(), 0), or(s.cropSize(), 52),
                s.warmUpSeconds() == null ? 0 : s.warmUpSeconds());
        if (s.threshold() < 0 || s.threshold() > 255) {
            throw bad(file, "segmentation.threshold", s.threshold(), "give 0 (automatic) or 1..255 grey levels");
        }
        if (s.minArea() < 0 || s.maxArea() < 0 || s.opening() < 0) {
            throw bad(file, "segmentation.min_area/max_area/opening", s.minArea() + "/" + s.maxArea() + "/" + s.opening(),
                    "give 0 (default) or a positive number of pixels");
        }
        if (s.cropSize() != 0 && (s.cropSize() < 8 || s.cropSize() > 512)) {
            throw bad(file, "segmentation.crop_size", s.cropSize(), "give 0 (no crops, no training) or 8..512 pixels");
        }
        if (!(s.warmUpSeconds() >= 0)) {
            throw bad(file, "segmentation.warm_up_seconds", s.warmUpSeconds(), "give 0 (whole recording) or more");
        }
        Identifier i = identifier == null ? new Identifier(null, null, null) : identifier;
        i = new Identifier(i.windowFrames() == null ? 0 : i.windowFrames(),
                or(i.batchCrops(), IdentificationService.Options.DEFAULT_BATCH_CROPS), i.maxDelayMs() == null
                        ? IdentificationService.Options.DEFAULT_MAX_DELAY.toNanos() / 1e6 : i.maxDelayMs());
        if (i.windowFrames() < 0) {
            throw bad(file, "identifier.window_frames", i.windowFrames(), "give 0 (whole session) or a number of frames");
        }
        if (i.batchCrops() < 1) {
            throw bad(file, "identifier.batch_crops", i.batchCrops(), "give 1 or more crops");
        }
        if (!(i.maxDelayMs() >= 0 && i.maxDelayMs() <= 60_000)) {
            throw bad(file, "identifier.max_delay_ms", i.maxDelayMs(), "give 0 (score what each poll brings) to 60000 ms");
        }
        Trainer t = trainer == null ? new Trainer(null, null) : trainer;
        t = new Trainer(t.store() == null ? Path.of("shoal-trainer") : t.store(),
                t.method() == null ? TrainingMethod.CLASSIC : t.method());
        Writer w = writer == null ? new Writer(null, null, null) : writer;
        w = new Writer(w.outDir() == null ? Path.of("trajectories") : w.outDir(), or(w.maxGapFrames(), 25),
                w.parquet() != null && w.parquet());
        if (w.maxGapFrames() < 1) {
            throw bad(file, "writer.max_gap_frames", w.maxGapFrames(), "give 1 or more frames");
        }
        Ingest in = ingest == null ? new Ingest(null, null, null, null, null) : ingest;
        in = new Ingest(in.sources() == null ? List.of() : List.copyOf(in.sources()), in.session(),
                in.camera() == null ? "cam0" : in.camera(), in.paced() != null && in.paced(), or(in.queue(), 32));
        if (in.queue() < 1) {
            throw bad(file, "ingest.queue", in.queue(), "give 1 or more frames");
        }
        return new ServeConfig(animals, k, s, i, t, w, in);
    }

    private static int or(Integer value, int otherwise) {
        return value == null ? otherwise : value;
    }

    private static BadInputException bad(Path file, String field, Object value, String fix) {
        return new BadInputException(file + ": " + field + " is " + value + "; " + fix);
    }

    /** Whether identities are learnt (crops on): the trainer and identifier run, the writer applies corrections. */
    public boolean learns() {
        return segmentation.cropSize() > 0;
    }

    /**
     * The segmentation settings; the frame size is not known before a session comes, so an unset
     * max area (learnt in the warm-up) falls back to no bound rather than a tenth of the frame.
     */
    public SegmentationSettings segmentationSettings() {
        return new SegmentationSettings(segmentation.polarity(), segmentation.threshold(),
                segmentation.minArea() > 0 ? segmentation.minArea() : 10,
                segmentation.maxArea() > 0 ? segmentation.maxArea() : Integer.MAX_VALUE, segmentation.opening());
    }

    /** 60 background samples, the area range learnt unless max_area is given, as {@code track} does. */
    public WarmUp warmUp() {
        return new WarmUp(segmentation.warmUpSeconds(), 60, segmentation.cropSize(), animals, segmentation.maxArea() == 0);
    }

    /** How long a crop may wait for its micro-batch to fill. */
    public Duration identifierMaxDelay() {
        return Duration.ofNanos(Math.round(identifier.maxDelayMs() * 1e6));
    }

    /** The re-score window: 0 in the file means the whole session. */
    public long identifierWindowFrames() {
        return identifier.windowFrames() == 0 ? Long.MAX_VALUE : identifier.windowFrames();
    }
}
