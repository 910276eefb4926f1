package dev.shoal.trainer;

/**
 * An identity network exported to ONNX.
 *
 * <p>The graph takes {@value OnnxExporter#INPUT_NAME}: float [batch, 1, inputSize, inputSize], GRAY8
 * pixels divided by 255 (see {@link IdentityNetwork#scalePixels}), any batch size; and gives
 * {@value OnnxExporter#LOGITS_NAME} [batch, classes] and {@value OnnxExporter#PROBABILITIES_NAME}
 * (their softmax) [batch, classes].
 *
 * @param bytes the serialised ONNX ModelProto
 * @param inputName name of the graph input
 * @param inputSize side of the square input crop in pixels
 * @param classes number of identities (outputs per image)
 */
public record OnnxIdentityModel(byte[] bytes, String inputName, int inputSize, int classes) {
}
