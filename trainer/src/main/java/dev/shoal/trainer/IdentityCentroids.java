package dev.shoal.trainer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.shoal.core.BadInputException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The head of a contrastive model: one centroid per identity in embedding space (row-major
 * [identities, dimensions]) and the scale that turns squared distances into logits,
 * {@code logit_c = -scale * |e - c|^2}, so the softmax over identities is the posterior of an
 * isotropic Gaussian mixture with equal weights when {@code scale = 1 / (2 sigma^2)}.
 */
public record IdentityCentroids(float[] centroids, int identities, int dimensions, float scale) {

    private static final int[] EMBEDDING_AXIS = {2};

    public IdentityCentroids {
        if (identities < 1 || dimensions < 1 || centroids == null || centroids.length != identities * dimensions) {
            throw new BadInputException("identity centroids: " + (centroids == null ? 0 : centroids.length)
                    + " values for " + identities + " identities of " + dimensions + " dimensions; give identities x dimensions");
        }
        if (!(scale > 0) || Float.isInfinite(scale)) {
            throw new BadInputException("identity centroids: scale is " + scale + "; give a positive finite scale");
        }
    }

    /** Logits [batch, identities] from embeddings [batch, dimensions]. */
    NDArray logits(NDManager scope, NDArray embeddings) {
        NDArray c = scope.create(centroids, new Shape(identities, dimensions));
        NDArray squared = embeddings.expandDims(1).sub(c.expandDims(0)).square().sum(EMBEDDING_AXIS);
        return squared.mul(-scale);
    }

    void write(DataOutputStream out) throws IOException {
        out.writeInt(identities);
        out.writeInt(dimensions);
        out.writeFloat(scale);
        for (float v : centroids) {
            out.writeFloat(v);
        }
    }

    static IdentityCentroids read(DataInputStream in) throws IOException {
        int identities = in.readInt();
        int dimensions = in.readInt();
        float scale = in.readFloat();
        if (identities < 1 || dimensions < 1 || (long) identities * dimensions > 1 << 24) {
            throw new BadInputException("identity centroids: " + identities + " x " + dimensions + " is not a centroid table");
        }
        float[] centroids = new float[identities * dimensions];
        for (int i = 0; i < centroids.length; i++) {
            centroids[i] = in.readFloat();
        }
        return new IdentityCentroids(centroids, identities, dimensions, scale);
    }
}
