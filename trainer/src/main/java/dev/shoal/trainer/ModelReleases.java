package dev.shoal.trainer;

import com.google.protobuf.ByteString;
import dev.shoal.core.BadInputException;
import dev.shoal.core.proto.ModelRelease;
import dev.shoal.core.proto.TrainingMetrics;
import java.time.Instant;

/** Builds the {@link ModelRelease} records the trainer publishes on {@code shoal.models.v1}. */
public final class ModelReleases {

    private ModelReleases() {
    }

    /**
     * @param session the session the model identifies animals in
     * @param version increasing per session, from 1
     * @param method the training method that made the model (e.g. "classic")
     * @param created when the model was made
     */
    public static ModelRelease release(String session, long version, String method, OnnxIdentityModel onnx,
                                       TrainingReport report, Instant created) {
        if (session == null || session.isBlank()) {
            throw new BadInputException("model release: session is empty; give the session id the model belongs to");
        }
        if (version < 1) {
            throw new BadInputException("model release: version is " + version + "; versions start at 1");
        }
        if (method == null || method.isBlank()) {
            throw new BadInputException("model release: method is empty; name the training method");
        }
        return ModelRelease.newBuilder()
                .setSession(session)
                .setVersion(version)
                .setOnnx(ByteString.copyFrom(onnx.bytes()))
                .setInputName(onnx.inputName())
                .setInputSize(onnx.inputSize())
                .setClasses(onnx.classes())
                .setMetrics(TrainingMetrics.newBuilder()
                        .setMethod(method)
                        .setImages(report.images())
                        .setValidationAccuracy(report.validationAccuracy())
                        .setTrainingSeconds(report.seconds()))
                .setCreatedWallTimeNs(created.getEpochSecond() * 1_000_000_000L + created.getNano())
                .build();
    }
}
