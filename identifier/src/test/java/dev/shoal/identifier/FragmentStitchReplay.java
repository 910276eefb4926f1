package dev.shoal.identifier;

import java.nio.file.Path;

/**
 * Measures (not a test) what {@link FragmentStitcher} does to a session tracked without a model,
 * offline: reads a provisional {@code trajectories.csv} that {@code shoal track} wrote (identities are
 * fragment ids), drops its interpolated rows, stitches the fragments, repairs the rows with
 * {@link TrajectoryPostProcessor} as the writer does and writes the result for {@code shoal eval}.
 *
 * <p>Arguments: trajectories.csv, animals, max gap frames, output csv, then optionally the stitching
 * options after the animals (speed percentile, speed factor, velocity frames, predict frames).
 */
public final class FragmentStitchReplay {

    private FragmentStitchReplay() {
    }

    public static void main(String[] args) throws Exception {
        Path trajectories = Path.of(args[0]);
        int animals = Integer.parseInt(args[1]);
        int maxGap = Integer.parseInt(args[2]);
        Path out = Path.of(args[3]);
        FragmentStitcher.Options d = FragmentStitcher.Options.defaults(animals);
        FragmentStitcher.Options options = args.length > 4 ? new FragmentStitcher.Options(animals,
                Double.parseDouble(args[4]), Double.parseDouble(args[5]), Integer.parseInt(args[6]),
                Integer.parseInt(args[7])) : d;

        TrajectoryTable table = TrajectoryRepairReplay.trackedRows(trajectories);
        FragmentStitcher.Result stitched = new FragmentStitcher(options).stitch(table.rows());
        System.out.printf("%s: %d of %d fragments placed into %d identities, speed limit %.2f px/frame%n",
                options, stitched.fragmentsPlaced(), stitched.fragments(), stitched.identities(), stitched.speedLimit());
        TrajectoryPostProcessor.Result processed = new TrajectoryPostProcessor(
                TrajectoryPostProcessor.Options.defaults(maxGap)).process(stitched.rows());
        TrajectoryTable.writeLong(processed.rows(), out);
    }
}
