package dev.shoal.identifier;

import dev.shoal.core.proto.FrameTracks;
import dev.shoal.core.proto.Track;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

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

        TrajectoryTable table = new TrajectoryTable();
        List<String> lines = Files.readAllLines(trajectories);
        FrameTracks.Builder frame = null;
        for (String line : lines.subList(1, lines.size())) {
            String[] v = line.split(",");
            if (v[8].equals("1")) {
                continue;
            }
            long index = Long.parseLong(v[0]);
            if (frame != null && frame.getIndex() != index) {
                table.add(frame.build());
                frame = null;
            }
            if (frame == null) {
                frame = FrameTracks.newBuilder().setIndex(index).setMediaTimeS(Double.parseDouble(v[1]));
            }
            frame.addTracks(Track.newBuilder().setIdentity(Long.parseLong(v[2])).setX(Double.parseDouble(v[3]))
                    .setY(Double.parseDouble(v[4])).setAngle(Double.parseDouble(v[5]))
                    .setConfidence(Double.parseDouble(v[6])).setFragment(Long.parseLong(v[7])));
        }
        if (frame != null) {
            table.add(frame.build());
        }
        FragmentStitcher.Result stitched = new FragmentStitcher(options).stitch(table.rows());
        System.out.printf("%s: %d of %d fragments placed into %d identities, speed limit %.2f px/frame%n",
                options, stitched.fragmentsPlaced(), stitched.fragments(), stitched.identities(), stitched.speedLimit());
        TrajectoryPostProcessor.Result processed = new TrajectoryPostProcessor(
                TrajectoryPostProcessor.Options.defaults(maxGap)).process(stitched.rows());
        TrajectoryTable.writeLong(processed.rows(), out);
    }
}
