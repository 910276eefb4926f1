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
import java.nio.FloatBuffer;

/** A trained identity network (DJL, PyTorch engine) with the report of its training. Close it to free native memory. */
public final class TrainedIdentityModel implements AutoCloseable {

    private final Model model;
    private final IdentityNetwork network;
    private final TrainingReport report;

    TrainedIdentityModel(Model model, IdentityNetwork network, TrainingReport report) {
        this.model = model;
        this.network = network;
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
            IdentityTrainer.restore(model, weights);
            return new TrainedIdentityModel(model, network, report);
        } catch (RuntimeException e) {
            model.close();
            throw new BadInputException("identity model: the saved weights do not fit " + network + " ("
                    + e.getMessage() + "); give weights saved from a model of this network");
        }
    }

    /** The network's parameters, as DJL saves them; {@link #of} makes the model again from them. */
    public byte[] weights() {
        return IdentityTrainer.weights(model.getBlock());
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
     * Logits for a batch of network inputs.
     *
     * @param inputs {@code batch} crops, row-major, scaled as {@link IdentityNetwork#scalePixels} does
     * @return {@code batch x classes} logits, row-major
     */
    public float[] logits(float[] inputs, int batch) {
        if (batch < 1 || inputs.length != batch * network.pixels()) {
            throw new BadInputException("identity model: inputs hold " + inputs.length + " values for batch " + batch
                    + "; expected batch x " + network.cropSize() + " x " + network.cropSize());
        }
        try (NDManager scope = model.getNDManager().newSubManager()) {
            NDArray x = scope.create(FloatBuffer.wrap(inputs), network.inputShape(batch));
            NDList out = model.getBlock().forward(new ParameterStore(scope, false), new NDList(x), false);
            return out.singletonOrThrow().toFloatArray();
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
