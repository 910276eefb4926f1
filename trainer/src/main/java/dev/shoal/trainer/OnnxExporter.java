package dev.shoal.trainer;

import ai.djl.nn.Block;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.util.Pair;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes a trained {@link IdentityNetwork} as an ONNX model (opset 17, dynamic batch): per-crop
 * standardisation (ReduceMean, Sub, Mul, Add, Sqrt, Div), then Conv, Relu, MaxPool, Flatten, Gemm and
 * Softmax nodes, the trained weights as initializers. A contrastive model's last Gemm gives the
 * embedding (also an output); its logits are then {@code -scale * |embedding - centroid|^2}
 * (Unsqueeze, Sub, ReduceSumSquare, Mul with the centroids as an initializer), so it has the same
 * {@value #LOGITS_NAME} and {@value #PROBABILITIES_NAME} outputs as a classifier and whoever scores
 * crops need not know which method made it.
 */
public final class OnnxExporter {

    public static final String INPUT_NAME = "crops";
    public static final String LOGITS_NAME = "logits";
    public static final String PROBABILITIES_NAME = "probabilities";
    /** A contrastive model's extra output: the embedding [batch, embedding]. */
    public static final String EMBEDDING_NAME = "embedding";
    public static final int OPSET = 17;
    /** The IR version that goes with opset 17. */
    private static final long IR_VERSION = 8;
    private static final String BATCH = "batch";

    private OnnxExporter() {
    }

    /** Exports the model's current weights. */
    public static OnnxIdentityModel export(TrainedIdentityModel model) {
        IdentityNetwork network = model.network();
        Weights weights = Weights.of(model.block(), network);
        GraphProto.Builder graph = GraphProto.newBuilder().setName("shoal_identity");
        graph.addInput(tensorInfo(INPUT_NAME, BATCH, 1, network.cropSize(), network.cropSize()));

        String x = standardise(graph);
        int k = network.architecture().kernel();
        int pad = k / 2;
        for (int i = 0; i < network.architecture().convBlocks(); i++) {
            String w = initializer(graph, "conv" + i + ".weight", weights.conv.get(i).getKey(),
                    network.architecture().channels(i), i == 0 ? 1 : network.architecture().channels(i - 1), k, k);
            String b = initializer(graph, "conv" + i + ".bias", weights.conv.get(i).getValue(),
                    network.architecture().channels(i));
            x = node(graph, "Conv", "conv" + i, List.of(x, w, b),
                    ints("kernel_shape", k, k), ints("pads", pad, pad, pad, pad), ints("strides", 1, 1));
            x = node(graph, "Relu", "conv" + i + ".relu", List.of(x));
            x = node(graph, "MaxPool", "pool" + i, List.of(x), ints("kernel_shape", 2, 2), ints("strides", 2, 2));
        }
        x = node(graph, "Flatten", "flatten", List.of(x), integer("axis", 1));

        int features = network.architecture().channels(network.architecture().convBlocks() - 1)
                * network.featureSide() * network.featureSide();
        String w = initializer(graph, "hidden.weight", weights.dense.get(0).getKey(), IdentityNetwork.HIDDEN_UNITS, features);
        String b = initializer(graph, "hidden.bias", weights.dense.get(0).getValue(), IdentityNetwork.HIDDEN_UNITS);
        // DJL keeps dense weights as [out, in]: transB=1 lets Gemm use them as they are.
        x = node(graph, "Gemm", "hidden", List.of(x, w, b), integer("transB", 1));
        x = node(graph, "Relu", "hidden.relu", List.of(x));
        int units = network.outputUnits();
        w = initializer(graph, "output.weight", weights.dense.get(1).getKey(), units, IdentityNetwork.HIDDEN_UNITS);
        b = initializer(graph, "output.bias", weights.dense.get(1).getValue(), units);
        String output = network.embeds() ? EMBEDDING_NAME : LOGITS_NAME;
        graph.addNode(NodeProto.newBuilder().setOpType("Gemm").setName("output")
                .addInput(x).addInput(w).addInput(b).addOutput(output).addAttribute(integer("transB", 1)));
        if (network.embeds()) {
            centroidLogits(graph, model.centroids());
        }
        graph.addNode(NodeProto.newBuilder().setOpType("Softmax").setName("softmax")
                .addInput(LOGITS_NAME).addOutput(PROBABILITIES_NAME).addAttribute(integer("axis", 1)));
        graph.addOutput(tensorInfo(LOGITS_NAME, BATCH, network.classes()));
        graph.addOutput(tensorInfo(PROBABILITIES_NAME, BATCH, network.classes()));
        if (network.embeds()) {
            graph.addOutput(tensorInfo(EMBEDDING_NAME, BATCH, network.embedding()));
        }

        ModelProto onnx = ModelProto.newBuilder()
                .setIrVersion(IR_VERSION)
                .setProducerName("shoal")
                .setDocString("identity network " + network.architecture()
                        + (network.embeds() ? " (contrastive: logits from distances to identity centroids)" : "")
                        + ", input " + INPUT_NAME + " = GRAY8 pixels / 255, outputs " + LOGITS_NAME + " and "
                        + PROBABILITIES_NAME)
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .setGraph(graph)
                .build();
        return new OnnxIdentityModel(onnx.toByteArray(), INPUT_NAME, network.cropSize(), network.classes());
    }

    /** Per crop: (x - mean) / sqrt(variance + epsilon), as {@link IdentityNetwork} does first. */
    private static String standardise(GraphProto.Builder graph) {
        AttributeProto imageAxes = ints("axes", 1, 2, 3);
        AttributeProto keep = integer("keepdims", 1);
        String mean = node(graph, "ReduceMean", "crop.mean", List.of(INPUT_NAME), imageAxes, keep);
        String centred = node(graph, "Sub", "crop.centred", List.of(INPUT_NAME, mean));
        String squared = node(graph, "Mul", "crop.squared", List.of(centred, centred));
        String variance = node(graph, "ReduceMean", "crop.variance", List.of(squared), imageAxes, keep);
        String epsilon = initializer(graph, "crop.epsilon", new float[] {IdentityNetwork.VARIANCE_EPSILON});
        String padded = node(graph, "Add", "crop.variance_epsilon", List.of(variance, epsilon));
        String deviation = node(graph, "Sqrt", "crop.deviation", List.of(padded));
        return node(graph, "Div", "crop.standardised", List.of(centred, deviation));
    }

    /**
     * {@value #LOGITS_NAME} = -scale * squared distance of the {@value #EMBEDDING_NAME} to each centroid:
     * the differences are taken one by one ([batch, identities, embedding]) rather than expanded into
     * |e|^2 + |c|^2 - 2 e.c, whose cancellation would cost precision.
     */
    private static void centroidLogits(GraphProto.Builder graph, IdentityCentroids centroids) {
        String table = initializer(graph, "centroids", centroids.centroids(), centroids.identities(), centroids.dimensions());
        String axis = longInitializer(graph, "embedding.axis", 1);
        String embeddings = node(graph, "Unsqueeze", "embedding.unsqueezed", List.of(EMBEDDING_NAME, axis));
        String differences = node(graph, "Sub", "centroid.differences", List.of(embeddings, table));
        String squared = node(graph, "ReduceSumSquare", "centroid.squared_distances", List.of(differences),
                ints("axes", 2), integer("keepdims", 0));
        String scale = initializer(graph, "centroid.negative_scale", new float[] {-centroids.scale()});
        graph.addNode(NodeProto.newBuilder().setOpType("Mul").setName("centroid.logits")
                .addInput(squared).addInput(scale).addOutput(LOGITS_NAME));
    }

    private static String node(GraphProto.Builder graph, String op, String name, List<String> inputs,
                               AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(name).addAllInput(inputs).addOutput(name);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        return name;
    }

    private static String initializer(GraphProto.Builder graph, String name, float[] values, long... dims) {
        long expected = 1;
        for (long d : dims) {
            expected *= d;
        }
        if (values.length != expected) {
            throw new IllegalStateException(name + " holds " + values.length + " values, expected " + expected);
        }
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE)
                .setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            tensor.addDims(d);
        }
        graph.addInitializer(tensor);
        return name;
    }

    private static String longInitializer(GraphProto.Builder graph, String name, long... values) {
        graph.addInitializer(TensorProto.newBuilder()
                .setName(name)
                .setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length)
                .addAllInt64Data(Arrays.stream(values).boxed().toList()));
        return name;
    }

    private static ValueInfoProto tensorInfo(String name, String batch, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(batch));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder()
                .setName(name)
                .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape)))
                .build();
    }

    private static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long v : values) {
            attribute.addInts(v);
        }
        return attribute.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    /** The (weight, bias) pairs of the convolution and dense layers, in network order. */
    private record Weights(List<Pair<float[], float[]>> conv, List<Pair<float[], float[]>> dense) {

        static Weights of(Block block, IdentityNetwork network) {
            List<Pair<float[], float[]>> conv = new ArrayList<>();
            List<Pair<float[], float[]>> dense = new ArrayList<>();
            for (Pair<String, Block> child : block.getChildren()) {
                Block layer = child.getValue();
                if (layer instanceof Conv2d) {
                    conv.add(weightAndBias(layer));
                } else if (layer instanceof Linear) {
                    dense.add(weightAndBias(layer));
                }
            }
            if (conv.size() != network.architecture().convBlocks() || dense.size() != 2) {
                throw new IllegalStateException("the block has " + conv.size() + " convolutions and " + dense.size()
                        + " dense layers; " + network + " needs " + network.architecture().convBlocks() + " and 2");
            }
            return new Weights(conv, dense);
        }

        private static Pair<float[], float[]> weightAndBias(Block layer) {
            return new Pair<>(layer.getParameters().get("weight").getArray().toFloatArray(),
                    layer.getParameters().get("bias").getArray().toFloatArray());
        }
    }
}
