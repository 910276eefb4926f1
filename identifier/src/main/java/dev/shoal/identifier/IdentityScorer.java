package dev.shoal.identifier;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores identification crops with one model release in ONNX Runtime: GRAY8 crops in, identity
 * probabilities [batch, classes] out. The model's contract (input name and shape [batch, 1, S, S],
 * output name and [batch, N]) is checked when it is loaded, so a model for another crop size or
 * another number of animals is refused before it serves. Not thread-safe: one scorer per thread.
 */
public final class IdentityScorer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(IdentityScorer.class);
    // Once CUDA has failed to load it is not tried again: one log line per process, not one per model.
    private static volatile boolean cudaFailed;

    /**
     * @param intraOpThreads ONNX Runtime threads per scoring call; 1 or 2 leave the other stages a core
     * @param cuda try the CUDA execution provider first (needs the onnxruntime_gpu artifact and a GPU);
     *             falls back to CPU with one log line
     */
    public record Options(int intraOpThreads, boolean cuda) {

        public Options {
            if (intraOpThreads < 1) {
                throw new BadInputException("scorer threads is " + intraOpThreads + "; give at least 1");
            }
        }

        /** One thread; CUDA when the ONNX Runtime build on the class path has it (the {@code gpu} Maven profile). */
        public static Options defaults() {
            return new Options(1, OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA));
        }
    }

    private final OrtEnvironment environment;
    private final OrtSession session;
    private final long version;
    private final String inputName;
    private final Set<String> outputNames;
    private final int cropSize;
    private final int classes;
    private final int pixels;
    private final float[] scaledCrop;
    private final byte[] cropBytes;
    private FloatBuffer input;

    private IdentityScorer(OrtEnvironment environment, OrtSession session, ModelRelease release) {
        this.environment = environment;
        this.session = session;
        this.version = release.getVersion();
        this.inputName = release.getInputName();
        this.outputNames = Set.of(release.getOutputName());
        this.cropSize = release.getInputSize();
        this.classes = release.getClasses();
        this.pixels = cropSize * cropSize;
        this.scaledCrop = new float[pixels];
        this.cropBytes = new byte[pixels];
        this.input = directFloats(64 * pixels);
    }

    /**
     * Loads a release and checks it against what the stream needs.
     *
     * @param cropSize side of the blobs' identification crops
     * @param animals  number of identities the model must give
     * @throws BadInputException naming the release and what does not fit, when it cannot serve
     */
    public static IdentityScorer load(ModelRelease release, int cropSize, int animals, Options options) {
        String name = "model release " + release.getSession() + " v" + release.getVersion();
        if (release.getOnnx().isEmpty()) {
            throw new BadInputException(name + ": carries no ONNX model (" + release.getNote() + "); publish a trained model");
        }
        if (release.getInputName().isEmpty() || release.getOutputName().isEmpty()) {
            throw new BadInputException(name + ": input_name or output_name is empty; name the graph's crops input"
                    + " and probabilities output");
        }
        if (release.getInputSize() != cropSize) {
            throw new BadInputException(name + ": input_size is " + release.getInputSize() + " but the blobs' crops are "
                    + cropSize + "x" + cropSize + "; train on crops of the segmenter's crop size");
        }
        if (release.getClasses() != animals) {
            throw new BadInputException(name + ": classes is " + release.getClasses() + " but the session has " + animals
                    + " animals; train a model for " + animals + " identities");
        }
        OrtEnvironment environment = OrtEnvironment.getEnvironment();
        OrtSession session;
        try (OrtSession.SessionOptions sessionOptions = sessionOptions(options)) {
            session = environment.createSession(release.getOnnx().toByteArray(), sessionOptions);
        } catch (OrtException e) {
            throw new BadInputException(name + ": ONNX Runtime cannot load it (" + firstLine(e) + "); publish a valid ONNX model", e);
        }
        try {
            checkInput(name, session, release.getInputName(), cropSize);
            checkOutput(name, session, release.getOutputName(), animals);
        } catch (RuntimeException | OrtException e) {
            closeQuietly(session);
            if (e instanceof BadInputException bad) {
                throw bad;
            }
            throw new BadInputException(name + ": cannot read its inputs and outputs (" + firstLine(e) + ")", e);
        }
        return new IdentityScorer(environment, session, release);
    }

    private static OrtSession.SessionOptions sessionOptions(Options options) throws OrtException {
        OrtSession.SessionOptions sessionOptions = new OrtSession.SessionOptions();
        sessionOptions.setIntraOpNumThreads(options.intraOpThreads());
        sessionOptions.setInterOpNumThreads(1);
        sessionOptions.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        sessionOptions.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        // Batches repeat the same few shapes, so ORT can reuse its planned allocations.
        sessionOptions.setMemoryPatternOptimization(true);
        if (options.cuda() && !cudaFailed) {
            try {
                sessionOptions.addCUDA();
            } catch (OrtException | RuntimeException e) {
                cudaFailed = true;
                LOG.warn("CUDA execution provider unavailable ({}); scoring on CPU", firstLine(e));
            }
        }
        return sessionOptions;
    }

    private static void checkInput(String name, OrtSession session, String inputName, int cropSize) throws OrtException {
        NodeInfo node = session.getInputInfo().get(inputName);
        if (node == null) {
            throw new BadInputException(name + ": the graph has no input '" + inputName + "' (it has "
                    + session.getInputNames() + "); set input_name to the crops input");
        }
        long[] shape = floatTensorShape(name, node);
        if (shape.length != 4 || shape[0] > 0 || shape[1] != 1 || shape[2] != cropSize || shape[3] != cropSize) {
            throw new BadInputException(name + ": input '" + inputName + "' has shape " + Arrays.toString(shape)
                    + "; it must be [batch (dynamic), 1, " + cropSize + ", " + cropSize + "]");
        }
    }

    private static void checkOutput(String name, OrtSession session, String outputName, int animals) throws OrtException {
        NodeInfo node = session.getOutputInfo().get(outputName);
        if (node == null) {
            throw new BadInputException(name + ": the graph has no output '" + outputName + "' (it has "
                    + session.getOutputNames() + "); set output_name to the probabilities output");
        }
        long[] shape = floatTensorShape(name, node);
        if (shape.length != 2 || shape[1] != animals) {
            throw new BadInputException(name + ": output '" + outputName + "' has shape " + Arrays.toString(shape)
                    + "; it must be [batch, " + animals + "] (one probability per animal)");
        }
    }

    private static long[] floatTensorShape(String name, NodeInfo node) {
        if (!(node.getInfo() instanceof TensorInfo tensor) || tensor.type != OnnxJavaType.FLOAT) {
            throw new BadInputException(name + ": '" + node.getName() + "' is " + node.getInfo()
                    + "; it must be a float tensor");
        }
        return tensor.getShape();
    }

    public long version() {
        return version;
    }

    public int cropSize() {
        return cropSize;
    }

    public int classes() {
        return classes;
    }

    /**
     * Scores GRAY8 crops (cropSize x cropSize bytes each).
     *
     * @return per crop, the probability of each identity (index k = identity k + 1)
     */
    public float[][] score(List<ByteString> crops) {
        int batch = crops.size();
        float[][] out = new float[batch][];
        if (batch == 0) {
            return out;
        }
        if (input.capacity() < batch * pixels) {
            input = directFloats(Math.max(batch, 2 * input.capacity() / pixels) * pixels);
        }
        input.clear();
        for (ByteString crop : crops) {
            if (crop.size() != pixels) {
                throw new BadInputException("crop of " + crop.size() + " bytes; model v" + version + " scores "
                        + cropSize + "x" + cropSize + " = " + pixels + " byte crops");
            }
            crop.copyTo(cropBytes, 0);
            for (int i = 0; i < pixels; i++) {
                scaledCrop[i] = (cropBytes[i] & 0xFF) / 255f;
            }
            input.put(scaledCrop);
        }
        input.flip();
        try (OnnxTensor tensor = OnnxTensor.createTensor(environment, input, new long[] {batch, 1, cropSize, cropSize});
             OrtSession.Result result = session.run(Map.of(inputName, tensor), outputNames)) {
            FloatBuffer probabilities = ((OnnxTensor) result.get(0)).getFloatBuffer();
            for (int b = 0; b < batch; b++) {
                out[b] = new float[classes];
                probabilities.get(out[b]);
            }
            return out;
        } catch (OrtException e) {
            throw new IllegalStateException("model v" + version + " failed to score " + batch + " crops: " + e.getMessage(), e);
        }
    }

    private static FloatBuffer directFloats(int count) {
        return ByteBuffer.allocateDirect(count * Float.BYTES).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    private static String firstLine(Throwable e) {
        String message = String.valueOf(e.getMessage());
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    private static void closeQuietly(OrtSession session) {
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing a refused ONNX Runtime session: {}", firstLine(e));
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("cannot close model v" + version + ": " + e.getMessage(), e);
        }
    }
}
