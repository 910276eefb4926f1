package dev.shoal.identifier.evaluation;

import java.util.List;
import java.util.TreeSet;

/**
 * Evaluates a whole tracked sequence against its truth: builds each frame's {@link FrameComparison}
 * from positions or boxes and runs a {@link TrackingEvaluator} over the frames of either file, in
 * order.
 */
public final class TrackingEvaluation {

    private TrackingEvaluation() {
    }

    /**
     * Matches points by Euclidean distance: a truth animal and a track may match when they are at
     * most {@code radius} pixels apart; MOTP and the mean position error are then in pixels.
     */
    public static EvaluationResult ofPoints(FrameSeries<PointObservation> truth,
                                            FrameSeries<PointObservation> tracks, double radius) {
        if (!(radius > 0) || Double.isInfinite(radius)) {
            throw new IllegalArgumentException("radius must be a positive number of pixels, got " + radius);
        }
        TrackingEvaluator evaluator = new TrackingEvaluator();
        for (long frame : framesOfEither(truth, tracks)) {
            List<PointObservation> t = truth.frames().getOrDefault(frame, List.of());
            List<PointObservation> k = tracks.frames().getOrDefault(frame, List.of());
            double[] distances = new double[t.size() * k.size()];
            double[] errors = new double[distances.length];
            boolean[] touching = new boolean[t.size()];
            for (int i = 0; i < t.size(); i++) {
                touching[i] = t.get(i).touching();
                for (int j = 0; j < k.size(); j++) {
                    double d = Math.hypot(t.get(i).x() - k.get(j).x(), t.get(i).y() - k.get(j).y());
                    errors[i * k.size() + j] = d;
                    distances[i * k.size() + j] = d <= radius ? d : Double.NaN;
                }
            }
            evaluator.add(new FrameComparison(frame, t.stream().mapToInt(PointObservation::identity).toArray(),
                    touching, k.stream().mapToInt(PointObservation::identity).toArray(), distances, errors));
        }
        return evaluator.result();
    }

    /**
     * Matches boxes by overlap, as py-motmetrics does for MOTChallenge: the distance is 1 - IoU
     * (area = width x height) and a pair may match when IoU &gt;= {@code minIou}; MOTP is then in
     * units of 1 - IoU and the mean position error is the distance between box centres in pixels.
     * Boxes carry no touching flag: every truth animal-frame counts as non-touching.
     */
    public static EvaluationResult ofBoxes(FrameSeries<BoxObservation> truth,
                                           FrameSeries<BoxObservation> tracks, double minIou) {
        if (!(minIou > 0 && minIou <= 1)) {
            throw new IllegalArgumentException("IoU threshold must be in (0, 1], got " + minIou);
        }
        double maxDistance = 1 - minIou;
        TrackingEvaluator evaluator = new TrackingEvaluator();
        for (long frame : framesOfEither(truth, tracks)) {
            List<BoxObservation> t = truth.frames().getOrDefault(frame, List.of());
            List<BoxObservation> k = tracks.frames().getOrDefault(frame, List.of());
            double[] distances = new double[t.size() * k.size()];
            double[] errors = new double[distances.length];
            for (int i = 0; i < t.size(); i++) {
                for (int j = 0; j < k.size(); j++) {
                    BoxObservation a = t.get(i);
                    BoxObservation b = k.get(j);
                    double d = 1 - a.iou(b);
                    distances[i * k.size() + j] = d <= maxDistance ? d : Double.NaN;
                    errors[i * k.size() + j] = Math.hypot(a.centreX() - b.centreX(), a.centreY() - b.centreY());
                }
            }
            evaluator.add(new FrameComparison(frame, t.stream().mapToInt(BoxObservation::identity).toArray(),
                    new boolean[t.size()], k.stream().mapToInt(BoxObservation::identity).toArray(), distances, errors));
        }
        return evaluator.result();
    }

    private static TreeSet<Long> framesOfEither(FrameSeries<?> truth, FrameSeries<?> tracks) {
        TreeSet<Long> frames = new TreeSet<>(truth.frames().keySet());
        frames.addAll(tracks.frames().keySet());
        return frames;
    }
}
