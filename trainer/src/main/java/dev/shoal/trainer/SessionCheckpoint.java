package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a session's trainer had published when it last published a model, kept beside the session's
 * {@link GlobalFragmentStore} so that a restarted trainer carries on from it: the last release's
 * version, the accepted images it was published at, the global fragments the last training saw, whether
 * the last release ended the session, and the accumulator's {@link IdentityAccumulator.Checkpoint}
 * (null when the session ended without ever training).
 *
 * <p>Written to a temporary file and renamed over the previous one, so a trainer stopped while
 * writing leaves the previous checkpoint whole.
 */
public record SessionCheckpoint(int animals, int cropSize, TrainingMethod method,
                                IdentityNetwork.Architecture architecture, long version, long publishedAcceptedImages,
                                int trainedOnGlobals, boolean last, IdentityAccumulator.Checkpoint accumulator) {

    /** Its file in a session's store directory. */
    public static final String FILE = "trainer-checkpoint.bin";
    private static final int MAGIC = 0x53484350;
    private static final int FORMAT = 1;

    /** The checkpoint file of the session whose store is {@code directory}. */
    public static Path in(Path directory) {
        return directory.resolve(FILE);
    }

    /** Writes the checkpoint to {@code file}, replacing the previous one only once it is whole. */
    public void write(Path file) {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temp)))) {
                out.writeInt(MAGIC);
                out.writeInt(FORMAT);
                out.writeInt(animals);
                out.writeInt(cropSize);
                out.writeUTF(method.name());
                out.writeUTF(architecture.name());
                out.writeLong(version);
                out.writeLong(publishedAcceptedImages);
                out.writeInt(trainedOnGlobals);
                out.writeBoolean(last);
                out.writeBoolean(accumulator != null);
                if (accumulator != null) {
                    writeAccumulator(out, accumulator);
                }
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the trainer checkpoint " + file, e);
        }
    }

    /**
     * Reads a checkpoint written by {@link #write}.
     *
     * @throws BadInputException when the file is not a checkpoint of this format or ends early
     */
    public static SessionCheckpoint read(Path file) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw damaged(file, "not a shoal trainer checkpoint (format " + FORMAT + ")");
            }
            int animals = in.readInt();
            int cropSize = in.readInt();
            TrainingMethod method = named(TrainingMethod.class, in.readUTF(), file);
            IdentityNetwork.Architecture architecture = named(IdentityNetwork.Architecture.class, in.readUTF(), file);
            long version = in.readLong();
            long publishedAcceptedImages = in.readLong();
            int trainedOnGlobals = in.readInt();
            boolean last = in.readBoolean();
            IdentityAccumulator.Checkpoint accumulator = in.readBoolean() ? readAccumulator(in, file) : null;
            if (in.read() >= 0) {
                throw damaged(file, "bytes follow the checkpoint's end");
            }
            return new SessionCheckpoint(animals, cropSize, method, architecture, version, publishedAcceptedImages,
                    trainedOnGlobals, last, accumulator);
        } catch (EOFException e) {
            throw damaged(file, "the file ends inside the checkpoint");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the trainer checkpoint " + file, e);
        }
    }

    /**
     * Checks that a trainer with these settings may carry on from this checkpoint.
     *
     * @throws BadInputException naming what differs
     */
    public void checkFits(Path file, int animals, int cropSize, TrainingMethod method,
                          IdentityNetwork.Architecture architecture) {
        boolean cropsDiffer = cropSize > 0 && this.cropSize > 0 && cropSize != this.cropSize;
        if (animals != this.animals || cropsDiffer || method != this.method
                || architecture != this.architecture) {
            throw new BadInputException(file + ": the session was trained with " + this.animals + " animals, "
                    + this.cropSize + "x" + this.cropSize + " crops, method " + this.method + ", network " + this.architecture
                    + " but this trainer has " + animals + ", " + cropSize + "x" + cropSize + ", " + method + ", "
                    + architecture + "; run it with the session's settings, or delete the session's store directory"
                    + " to train it again from scratch");
        }
    }

    private static void writeAccumulator(DataOutputStream out, IdentityAccumulator.Checkpoint checkpoint)
            throws IOException {
        out.writeInt(checkpoint.identities().size());
        for (Map.Entry<Long, Integer> e : checkpoint.identities().entrySet()) {
            out.writeLong(e.getKey());
            out.writeInt(e.getValue());
        }
        out.writeInt(checkpoint.acceptedGlobals().size());
        for (long id : checkpoint.acceptedGlobals()) {
            out.writeLong(id);
        }
        out.writeInt(checkpoint.trainings());
        out.writeBoolean(checkpoint.weights() != null);
        if (checkpoint.weights() != null) {
            TrainingReport r = checkpoint.report();
            out.writeLong(r.images());
            out.writeLong(r.trainingImages());
            out.writeInt(r.epochs());
            out.writeInt(r.bestEpoch());
            out.writeDouble(r.validationAccuracy());
            out.writeDouble(r.validationLoss());
            out.writeDouble(r.seconds());
            out.writeDouble(r.imagesPerSecond());
            out.writeInt(checkpoint.weights().length);
            out.write(checkpoint.weights());
        }
    }

    private static IdentityAccumulator.Checkpoint readAccumulator(DataInputStream in, Path file) throws IOException {
        int identityCount = count(in.readInt(), file);
        Map<Long, Integer> identities = new HashMap<>();
        for (int i = 0; i < identityCount; i++) {
            identities.put(in.readLong(), in.readInt());
        }
        int globalCount = count(in.readInt(), file);
        Set<Long> globals = new HashSet<>();
        for (int i = 0; i < globalCount; i++) {
            globals.add(in.readLong());
        }
        int trainings = in.readInt();
        if (!in.readBoolean()) {
            return new IdentityAccumulator.Checkpoint(identities, globals, trainings, null, null);
        }
        TrainingReport report = new TrainingReport(in.readLong(), in.readLong(), in.readInt(), in.readInt(),
                in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble());
        byte[] weights = new byte[count(in.readInt(), file)];
        in.readFully(weights);
        if (weights.length == 0) {
            throw damaged(file, "the model's weights are missing");
        }
        return new IdentityAccumulator.Checkpoint(identities, globals, trainings, weights, report);
    }

    private static int count(int value, Path file) {
        if (value < 0) {
            throw damaged(file, "a count is negative");
        }
        return value;
    }

    private static <E extends Enum<E>> E named(Class<E> type, String name, Path file) {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw damaged(file, "unknown " + type.getSimpleName() + " " + name);
        }
    }

    private static BadInputException damaged(Path file, String what) {
        return new BadInputException(file + ": " + what + "; delete this file and the trainer retrains the session"
                + " from its store (its release versions then start again at 1)");
    }
}
