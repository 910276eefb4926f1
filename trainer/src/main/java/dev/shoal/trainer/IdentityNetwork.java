package dev.shoal.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import dev.shoal.core.BadInputException;

/**
 * The identification network: three blocks of [convolution (same padding), ReLU, 2x2 max-pool with
 * stride 2], then a hidden fully connected layer with ReLU (the trunk), and a fully connected layer
 * giving one logit per identity, or, for the contrastive method, an embedding of {@code embedding}
 * values (the same trunk; identities then come from the distances to cluster centroids, see
 * {@link ContrastiveTrainer}).
 *
 * <p>Input: float tensor [batch, 1, cropSize, cropSize] holding the GRAY8 crop's pixels divided by
 * 255, so values lie in [0, 1] (see {@link #scalePixels}). The network's first step standardises
 * each crop to zero mean and unit variance (as idtracker.ai normalises its images), which makes faint
 * textures learnable in few epochs and the identities independent of lighting; the exported ONNX
 * graph does the same, so callers only scale pixels. Output of the block: the logits [batch, classes],
 * or the embedding [batch, embedding] when {@code embedding > 0}.
 *
 * @param architecture kernel size and channel counts
 * @param cropSize side of the square crop in pixels; at least 8 so three poolings leave a pixel
 * @param classes number of identities
 * @param embedding 0 for a classifier; else the size of the embedding the last layer gives
 */
public record IdentityNetwork(Architecture architecture, int cropSize, int classes, int embedding) {

    /** Units of the hidden fully connected layer, as in idtracker.ai. */
    public static final int HIDDEN_UNITS = 100;
    /** Default side of the identification crop, as in idtracker.ai. */
    public static final int DEFAULT_CROP_SIZE = 52;
    /** Added to each crop's variance before the square root, so a flat crop does not divide by zero. */
    public static final float VARIANCE_EPSILON = 1e-5f;
    private static final int[] PIXEL_AXIS = {1};

    /** Convolution kernel size and the channels of the three convolution blocks. */
    public enum Architecture {
        /** idtracker.ai's identification network: 5x5 kernels, 16/64/100 channels. */
        IDTRACKER(5, 16, 64, 100),
        /** A lighter variant, 3x3 kernels, 16/32/64 channels: measured 2.5x faster to train and 2-6x faster to score. */
        LIGHT(3, 16, 32, 64);

        private final int kernel;
        private final int[] channels;

        Architecture(int kernel, int... channels) {
            this.kernel = kernel;
            this.channels = channels;
        }

        public int kernel() {
            return kernel;
        }

        public int channels(int convBlock) {
            return channels[convBlock];
        }

        public int convBlocks() {
            return channels.length;
        }
    }

    public IdentityNetwork {
        if (embedding < 0) {
            throw new BadInputException("identity network: embedding is " + embedding
                    + "; give 0 for a classifier or the embedding size (e.g. " + ContrastiveTrainer.EMBEDDING_SIZE + ")");
        }
        if (architecture == null) {
            throw new BadInputException("identity network: architecture is missing; use IDTRACKER or LIGHT");
        }
        if (classes < 1) {
            throw new BadInputException("identity network: classes is " + classes
                    + "; give the number of animals (at least 1)");
        }
        if (cropSize < 8) {
            throw new BadInputException("identity network: cropSize is " + cropSize
                    + "; give a crop side of at least 8 pixels (default " + DEFAULT_CROP_SIZE + ")");
        }
    }

    /** A classifier: one logit per identity. */
    public IdentityNetwork(Architecture architecture, int cropSize, int classes) {
        this(architecture, cropSize, classes, 0);
    }

    /** The same trunk giving an embedding of {@code size} values instead of logits. */
    public IdentityNetwork withEmbedding(int size) {
        return new IdentityNetwork(architecture, cropSize, classes, size);
    }

    /** The network a training method trains: an embedding network for the contrastive method, else a classifier. */
    public IdentityNetwork forMethod(TrainingMethod method) {
        return method == TrainingMethod.CONTRASTIVE ? withEmbedding(ContrastiveTrainer.EMBEDDING_SIZE)
                : new IdentityNetwork(architecture, cropSize, classes);
    }

    /** Whether the block gives an embedding (contrastive method) rather than logits. */
    public boolean embeds() {
        return embedding > 0;
    }

    /** Units of the last layer: the embedding size, or one per identity. */
    public int outputUnits() {
        return embeds() ? embedding : classes;
    }

    /** idtracker.ai's network for crops of the given side. */
    public static IdentityNetwork idtracker(int cropSize, int classes) {
        return new IdentityNetwork(Architecture.IDTRACKER, cropSize, classes);
    }

    /** The lighter 3x3 variant for crops of the given side. */
    public static IdentityNetwork light(int cropSize, int classes) {
        return new IdentityNetwork(Architecture.LIGHT, cropSize, classes);
    }

    /** Pixels per crop. */
    public int pixels() {
        return cropSize * cropSize;
    }

    /** Input shape for a batch. */
    public Shape inputShape(int batch) {
        return new Shape(batch, 1, cropSize, cropSize);
    }

    /** Side of the feature map after the convolution blocks (floor division at each pooling). */
    public int featureSide() {
        int side = cropSize;
        for (int i = 0; i < architecture.convBlocks(); i++) {
            side /= 2;
        }
        return side;
    }

    /** A fresh, uninitialised DJL block with this architecture. */
    public Block newBlock() {
        SequentialBlock block = new SequentialBlock();
        block.add(IdentityNetwork::standardise);
        int k = architecture.kernel();
        for (int i = 0; i < architecture.convBlocks(); i++) {
            block.add(Conv2d.builder()
                            .setKernelShape(new Shape(k, k))
                            .optPadding(new Shape(k / 2, k / 2))
                            .setFilters(architecture.channels(i))
                            .build())
                    .add(Activation.reluBlock())
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        block.add(Blocks.batchFlattenBlock())
                .add(Linear.builder().setUnits(HIDDEN_UNITS).build())
                .add(Activation.reluBlock())
                .add(Linear.builder().setUnits(outputUnits()).build());
        return block;
    }

    private static NDList standardise(NDList inputs) {
        NDArray crops = inputs.singletonOrThrow();
        // DJL's PyTorch mean reduces one axis at a time: flatten each crop to one axis.
        NDArray flat = crops.reshape(crops.getShape().get(0), -1);
        NDArray centred = flat.sub(flat.mean(PIXEL_AXIS, true));
        NDArray variance = centred.square().mean(PIXEL_AXIS, true);
        return new NDList(centred.div(variance.add(VARIANCE_EPSILON).sqrt()).reshape(crops.getShape()));
    }

    /**
     * Writes GRAY8 pixels as network input: each byte (unsigned) divided by 255.
     */
    public static void scalePixels(byte[] source, int sourceOffset, float[] target, int targetOffset, int count) {
        for (int i = 0; i < count; i++) {
            target[targetOffset + i] = (source[sourceOffset + i] & 0xFF) * (1f / 255f);
        }
    }
}
