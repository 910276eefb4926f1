package dev.shoal.identifier;

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
import dev.shoal.core.proto.ModelRelease;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Synthetic animals told apart by which horizontal band of their crop is bright, and a real ONNX
 * model (Flatten, Gemm, Softmax) whose logit k is the mean brightness of band k times a gain. The
 * gain sets how sure the model is; a band's brightness sets how much a crop looks like its animal.
 */
final class BandCrops {

    static final String INPUT = "crops";
    static final String OUTPUT = "probabilities";

    private final int cropSize;
    private final int classes;

    BandCrops(int cropSize, int classes) {
        this.cropSize = cropSize;
        this.classes = classes;
    }

    /** A crop of animal {@code identity} (1..classes): its band bright, the rest dim, plus noise. */
    ByteString crop(int identity, Random random) {
        byte[] pixels = new byte[cropSize * cropSize];
        for (int row = 0; row < cropSize; row++) {
            boolean bright = band(row) == identity - 1;
            for (int col = 0; col < cropSize; col++) {
                int value = (bright ? 200 : 40) + random.nextInt(41) - 20;
                pixels[row * cropSize + col] = (byte) value;
            }
        }
        return ByteString.copyFrom(pixels);
    }

    private int band(int row) {
        return Math.min(classes - 1, row * classes / cropSize);
    }

    /** A release of the band classifier with the given contract fields. */
    ModelRelease release(String session, long version, float gain) {
        return ModelRelease.newBuilder()
                .setSession(session)
                .setVersion(version)
                .setOnnx(ByteString.copyFrom(model(cropSize, classes, gain, INPUT, OUTPUT)))
                .setInputName(INPUT)
                .setOutputName(OUTPUT)
                .setInputSize(cropSize)
                .setClasses(classes)
                .build();
    }

    /** ONNX bytes: input [batch, 1, side, side], output softmax(gain * band means) [batch, classes]. */
    static byte[] model(int side, int classes, float gain, String input, String output) {
        int pixels = side * side;
        float[] weights = new float[classes * pixels];
        int[] rowsInBand = new int[classes];
        for (int row = 0; row < side; row++) {
            rowsInBand[Math.min(classes - 1, row * classes / side)]++;
        }
        for (int row = 0; row < side; row++) {
            int k = Math.min(classes - 1, row * classes / side);
            for (int col = 0; col < side; col++) {
                weights[k * pixels + row * side + col] = gain / (rowsInBand[k] * side);
            }
        }
        GraphProto.Builder graph = GraphProto.newBuilder().setName("bands")
                .addInput(tensor(input, 1, side, side))
                .addOutput(tensor(output, classes))
                .addInitializer(floats("weight", weights, classes, pixels))
                .addInitializer(floats("bias", new float[classes], classes))
                .addNode(NodeProto.newBuilder().setOpType("Flatten").addInput(input).addOutput("flat")
                        .addAttribute(integer("axis", 1)))
                .addNode(NodeProto.newBuilder().setOpType("Gemm").addInput("flat").addInput("weight").addInput("bias")
                        .addOutput("logits").addAttribute(integer("transB", 1)))
                .addNode(NodeProto.newBuilder().setOpType("Softmax").addInput("logits").addOutput(output)
                        .addAttribute(integer("axis", 1)));
        return ModelProto.newBuilder().setIrVersion(8).setProducerName("shoal-test")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(17))
                .setGraph(graph).build().toByteArray();
    }

    private static ValueInfoProto tensor(String name, long... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder()
                .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (long d : dims) {
            shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(
                TypeProto.Tensor.newBuilder().setElemType(TensorProto.DataType.FLOAT_VALUE).setShape(shape))).build();
    }

    private static TensorProto floats(String name, float[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name)
                .setDataType(TensorProto.DataType.FLOAT_VALUE).setRawData(ByteString.copyFrom(raw.array()));
        for (long d : dims) {
            tensor.addDims(d);
        }
        return tensor.build();
    }

    private static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }
}
