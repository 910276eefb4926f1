package dev.shoal.trainer;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.shoal.core.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;

/**
 * A trained identity network (DJL, PyTorch engine) with the report of its training: a classifier, or
 * (contrastive method) an embedding network with the centroids that turn embeddings into logits.
 * Close it to free native memory.
 */
public final class TrainedIdentityModel implements AutoCloseable {

    private final Model model;
    private final IdentityNetwork network;
    private final IdentityCentroids centroids;
    private final TrainingReport report;

    TrainedIdentityModel(Model model, IdentityNetwork network, TrainingReport report) {
        this(model, network, null, report);
    }

    /** @param centroids required for an embedding network, null for a classifier */
    TrainedIdentityModel(Model model, IdentityNetwork network, IdentityCentroids centroids, TrainingReport report) {
        if (network.embeds() != (centroids != null)
                || (centroids != null && (centroids.identities() != network.classes()
                || centroids.dimensions() != network.embedding()))) {
            throw new IllegalArgumentException("centroids " + centroids + " do not fit " + network);
        }
        this.model = model;
        this.network = network;
        this.centroids = centroids;
        this.report = report;
    }

    /**
     * A model made from weights saved by {@link #weights} (e.g. by a trainer that was restarted).
     *
     * @throws BadInputException when the weights do not fit the network
     */
    public static TrainedIdentityModel of(IdentityNetwork network, byte[] weights, TrainingReport report) {
        Model model = Model.newInstance("identity", Device.cpu(), "PyTorch");
        try {
            model.setBlock(network.newBlock());
            model.getBlock().initialize(model.getNDManager(), DataType.FLOAT32, network.inputShape(1));
            if (!network.embeds()) {
                IdentityTrainer.restore(model, weights);
                return new TrainedIdentityModel(model, network, report);
            }
            IdentityCentroids centroids;
            try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(weights))) {
                byte[] parameters = new byte[in.readInt()];
                in.readFully(parameters);
                centroids = IdentityCentroids.read(in);
                IdentityTrainer.restore(model, parameters);
            }
            return new TrainedIdentityModel(model, network, centroids, report);
        } catch (RuntimeException | IOException e) {
            model.close();
            throw new BadInputException("identity model: the saved weights do not fit " + network + " ("
                    + e.getMessage() + "); give weights saved from a model of this network");
        }
    }

    /**
     * The network's parameters, as DJL saves them (for an embedding network: their length, them, then
     * the centroids); {@link #of} makes the model again from them.
     */
    public byte[] weights() {
        byte[] parameters = IdentityTrainer.weights(model.getBlock());
        if (centroids == null) {
            return parameters;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(parameters.length);
            out.write(parameters);
            centroids.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** The centroids of a contrastive model, or null for a classifier. */
    public IdentityCentroids centroids() {
        return centroids;
    }

    public IdentityNetwork network() {
        return network;
    }

    public TrainingReport report() {
        return report;
    }

    Block block() {
        return model.getBlock();
    }

    /**
     * Logits for a batch of network inputs (for a contrastive model, the scaled negative squared
     * distances to the centroids).
     *
     * @param inputs {@code batch} crops, row-major, scaled as {@link IdentityNetwork#scalePixels} does
     * @return {@code batch x classes} logits, row-major
     */
    public float[] logits(float[] inputs, int batch) {
        return forward(inputs, batch, true);
    }

    /**
     * What the network's block gives for a batch: the embeddings [batch x embedding] of a contrastive
     * model, the logits of a classifier.
     */
    public float[] outputs(float[] inputs, int batch) {
        return forward(inputs, batch, false);
    }

    private float[] forward(float[] inputs, int batch, boolean logits) {
        if (batch < 1 || inputs.length != batch * network.pixels()) {
            throw new BadInputException("identity model: inputs hold " + inputs.length + " values for batch " + batch
                    + "; expected batch x " + network.cropSize() + " x " + network.cropSize());
        }
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = scope.create(FloatBuffer.wrap(inputs), network.inputShape(batch));
            NDArray out = model.getBlock().forward(new ParameterStore(scope, false), new NDList(x), false).singletonOrThrow();
            return (logits && centroids != null ? centroids.logits(scope, out) : out).toFloatArray();
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
