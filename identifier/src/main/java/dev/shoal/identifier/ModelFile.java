package dev.shoal.identifier;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Set;

/**
 * An identity model given as an ONNX file (the trainer's export, or any graph with its contract), so
 * a session can be identified from its first frame without training: it becomes the session's one
 * and final release. The crops input is the graph's only input; the output is the one named
 * {@value #PROBABILITIES}, or the graph's only output, and must hold identity probabilities. Shapes
 * are checked as for any release ({@link IdentityScorer#load}) when the file is read.
 */
public final class ModelFile {

    /** The trainer's name for the probabilities output. */
    public static final String PROBABILITIES = "probabilities";

    private final Path file;
    private final byte[] onnx;
    private final String inputName;
    private final String outputName;
    private final int cropSize;
    private final int animals;

    private ModelFile(Path file, byte[] onnx, String inputName, String outputName, int cropSize, int animals) {
        this.file = file;
        this.onnx = onnx;
        this.inputName = inputName;
        this.outputName = outputName;
        this.cropSize = cropSize;
        this.animals = animals;
    }

    /**
     * Reads and checks a model file.
     *
     * @throws BadInputException naming the file and what does not fit, when it cannot identify
     *                           {@code animals} animals from crops of side {@code cropSize}
     */
    public static ModelFile read(Path file, int cropSize, int animals) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new BadInputException(file + ": no such model file; give the path of an ONNX identity model");
        } catch (IOException e) {
            throw new BadInputException(file + ": cannot read the model file (" + e.getMessage() + ")", e);
        }
        String input;
        String output;
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
             OrtSession graph = OrtEnvironment.getEnvironment().createSession(bytes, options)) {
            Set<String> inputs = graph.getInputNames();
            Set<String> outputs = graph.getOutputNames();
            if (inputs.size() != 1) {
                throw new BadInputException(file + ": the graph has inputs " + inputs
                        + "; an identity model has one, the crops [batch, 1, " + cropSize + ", " + cropSize + "]");
            }
            input = inputs.iterator().next();
            output = outputs.contains(PROBABILITIES) ? PROBABILITIES : outputs.size() == 1 ? outputs.iterator().next() : null;
            if (output == null) {
                throw new BadInputException(file + ": the graph has outputs " + outputs + " and none is named '"
                        + PROBABILITIES + "'; name the identity probabilities output so");
            }
        } catch (OrtException e) {
            throw new BadInputException(file + ": ONNX Runtime cannot load it (" + firstLine(e)
                    + "); give an ONNX identity model, e.g. one the trainer exported", e);
        }
        ModelFile model = new ModelFile(file, bytes, input, output, cropSize, animals);
        // Loading it as the identifier will is the check: a model that does not fit is refused here, at start-up.
        IdentityScorer.load(model.release(file.toString()), cropSize, animals, IdentityScorer.Options.defaults()).close();
        return model;
    }

    /** The session's first and last release (version 1): no other model will replace it. */
    public ModelRelease release(String session) {
        return ModelRelease.newBuilder()
                .setSession(session)
                .setVersion(1)
                .setOnnx(ByteString.copyFrom(onnx))
                .setInputName(inputName)
                .setOutputName(outputName)
                .setInputSize(cropSize)
                .setClasses(animals)
                .setCreatedWallTimeNs(System.currentTimeMillis() * 1_000_000L)
                .setLast(true)
                .setNote("model file " + file)
                .build();
    }

    public Path file() {
        return file;
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
