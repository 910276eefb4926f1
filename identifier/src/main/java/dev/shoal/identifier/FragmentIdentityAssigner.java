package dev.shoal.identifier;

import dev.shoal.core.BadInputException;
import dev.shoal.core.assignment.LinearAssignmentSolver;
import dev.shoal.core.proto.AssignerState;
import dev.shoal.core.proto.FragmentState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Gives the individual fragments of a session their identities from scored crops, online.
 *
 * <p>Each fragment sums the log-probabilities of its scored crops. Every frame, the fragments present
 * are assigned identities jointly by Hungarian on those sums, so two coexisting fragments never share
 * one; the identity a fragment holds gets a bonus ({@link Options#hysteresis}), so it changes only on
 * clearly stronger evidence. When a fragment ends, the fragments that shared its last frame may not
 * take its identity if it was certain; if it was not and one of them takes it anyway, the ended
 * fragment loses its identity (a correction to 0). So overlapping fragments never end with one identity,
 * and a short fragment with a wrong guess cannot bar a long one from its true identity.
 *
 * <p>The assigner remembers what was published for each fragment (a fragment id while tracks are
 * provisional, then its identity); every change of that is returned as a {@link Correction}. After a
 * new model, {@link #beginRescore()} clears the evidence of the fragments it retains, the caller scores
 * their crops again, and {@link #reassign()} replays the window and returns exactly the fragments whose
 * identity changed. {@link #state()} and {@link #restore} carry it across a restart of its service.
 * Pure: no Kafka, no ONNX Runtime. Not thread-safe.
 */
public final class FragmentIdentityAssigner {

    /**
     * @param hysteresis      log-probability bonus of a fragment's current identity (e.g. ln 100: another
     *                        assignment must be 100 times likelier)
     * @param certainty       posterior at which a fragment's identity counts as certain
     * @param minScored       crops scored before a fragment can be certain
     * @param sparseEvery     once certain, score only every k-th crop of the fragment
     * @param probabilityFloor smallest probability taken, so one crop cannot veto an identity
     */
    public record Options(double hysteresis, double certainty, int minScored, int sparseEvery, double probabilityFloor) {

        public Options {
            if (hysteresis < 0 || !(certainty > 0 && certainty <= 1) || minScored < 1 || sparseEvery < 1
                    || !(probabilityFloor > 0 && probabilityFloor < 1)) {
                throw new BadInputException("assignment options: hysteresis " + hysteresis + ", certainty " + certainty
                        + ", min scored " + minScored + ", sparse every " + sparseEvery + ", probability floor "
                        + probabilityFloor + "; need hysteresis >= 0, certainty in (0, 1], min scored >= 1,"
                        + " sparse every >= 1, floor in (0, 1)");
            }
        }

        public static Options defaults() {
            return new Options(Math.log(100), 0.999, 5, 10, 1e-4);
        }
    }

    /** A fragment's published identity revised over its frames so far. */
    public record Correction(long fragment, long firstFrame, long lastFrame, long oldIdentity, long newIdentity) {
    }

    /**
     * One frame's assignment: per fragment given, its identity (1..animals, 0 = none) and confidence
     * (posterior of that identity), and the corrections the frame caused.
     */
    public record FrameAssignment(long[] fragments, int[] identities, double[] confidences, List<Correction> corrections) {
    }

    private static final class Fragment {
        final long id;
        final double[] logSum;
        final List<Fragment> closedNeighbours = new ArrayList<>(2);
        long first;
        long last;
        int scored;
        long offered;
        int identity;
        long published;
        boolean closed;

        Fragment(long id, long frame, int animals) {
            this.id = id;
            this.first = frame;
            this.last = frame;
            this.logSum = new double[animals];
        }
    }

    private final int animals;
    private final Options options;
    private final Map<Long, Fragment> fragments = new HashMap<>();
    private final LinearAssignmentSolver solver = new LinearAssignmentSolver();
    private List<Fragment> present = List.of();
    /** Ended fragments that lost their identity to a fragment they overlapped, since the last assign. */
    private final List<Fragment> displaced = new ArrayList<>();
    private long currentFrame = Long.MIN_VALUE;
    private double[] cost = new double[0];
    private int[] assigned = new int[0];

    public FragmentIdentityAssigner(int animals, Options options) {
        if (animals < 1) {
            throw new BadInputException("animals is " + animals + "; give the number of animals (at least 1)");
        }
        this.animals = animals;
        this.options = options;
    }

    /**
     * Everything the assigner knows, between two frames: restored by {@link #restore}, it goes on
     * exactly as this one would.
     */
    public AssignerState state() {
        AssignerState.Builder out = AssignerState.newBuilder().setCurrentFrame(currentFrame);
        present.forEach(f -> out.addPresent(f.id));
        List<Fragment> all = new ArrayList<>(fragments.values());
        all.sort(Comparator.comparingLong(f -> f.id));
        Map<Long, Fragment> forgotten = new TreeMap<>();
        for (Fragment f : all) {
            out.addFragments(stateOf(f, true));
            f.closedNeighbours.stream().filter(n -> fragments.get(n.id) != n).forEach(n -> forgotten.put(n.id, n));
        }
        forgotten.values().forEach(f -> out.addForgotten(stateOf(f, false)));
        return out.build();
    }

    /** @param withNeighbours false for a forgotten fragment: its own neighbours are never consulted again */
    private static FragmentState stateOf(Fragment f, boolean withNeighbours) {
        FragmentState.Builder state = FragmentState.newBuilder().setId(f.id).setFirst(f.first).setLast(f.last)
                .setScored(f.scored).setOffered(f.offered).setIdentity(f.identity).setPublished(f.published)
                .setClosed(f.closed);
        for (double v : f.logSum) {
            state.addLogSum(v);
        }
        if (withNeighbours) {
            f.closedNeighbours.forEach(n -> state.addClosedNeighbours(n.id));
        }
        return state.build();
    }

    /** The assigner {@link #state()} described, as it was. */
    public static FragmentIdentityAssigner restore(int animals, Options options, AssignerState state) {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(animals, options);
        Map<Long, Fragment> forgotten = new HashMap<>();
        for (FragmentState s : state.getForgottenList()) {
            forgotten.put(s.getId(), fragmentOf(s, animals));
        }
        for (FragmentState s : state.getFragmentsList()) {
            assigner.fragments.put(s.getId(), fragmentOf(s, animals));
        }
        for (FragmentState s : state.getFragmentsList()) {
            Fragment f = assigner.fragments.get(s.getId());
            for (long id : s.getClosedNeighboursList()) {
                Fragment n = assigner.fragments.getOrDefault(id, forgotten.get(id));
                if (n == null) {
                    throw new IllegalArgumentException("fragment " + f.id + " names neighbour " + id
                            + ", which the stored state does not hold");
                }
                f.closedNeighbours.add(n);
            }
        }
        List<Fragment> present = new ArrayList<>(state.getPresentCount());
        for (long id : state.getPresentList()) {
            present.add(assigner.fragments.get(id));
        }
        assigner.present = present;
        assigner.currentFrame = state.getCurrentFrame();
        return assigner;
    }

    private static Fragment fragmentOf(FragmentState s, int animals) {
        if (s.getLogSumCount() != animals) {
            throw new IllegalArgumentException("fragment " + s.getId() + ": " + s.getLogSumCount()
                    + " log-probabilities stored for " + animals + " animals");
        }
        Fragment f = new Fragment(s.getId(), s.getFirst(), animals);
        f.last = s.getLast();
        f.scored = s.getScored();
        f.offered = s.getOffered();
        f.identity = s.getIdentity();
        f.published = s.getPublished();
        f.closed = s.getClosed();
        for (int k = 0; k < animals; k++) {
            f.logSum[k] = s.getLogSum(k);
        }
        return f;
    }

    /**
     * Whether the next crop of {@code fragment} should be scored: always until its identity is
     * certain, then every {@link Options#sparseEvery}-th crop, to catch an error cheaply.
     */
    public boolean wantsScore(long fragment) {
        Fragment f = fragments.get(fragment);
        if (f == null) {
            return true;
        }
        f.offered++;
        return f.scored < options.minScored() || maxPosterior(f) < options.certainty()
                || f.offered % options.sparseEvery() == 0;
    }

    /** Adds one scored crop of {@code fragment}: probabilities of identities 1..animals. */
    public void addEvidence(long fragment, long frame, float[] probabilities) {
        if (probabilities.length != animals) {
            throw new IllegalArgumentException("fragment " + fragment + ": " + probabilities.length
                    + " probabilities for " + animals + " animals");
        }
        Fragment f = fragments.computeIfAbsent(fragment, id -> new Fragment(id, frame, animals));
        for (int k = 0; k < animals; k++) {
            f.logSum[k] += Math.log(Math.max(options.probabilityFloor(), probabilities[k]));
        }
        f.scored++;
    }

    /**
     * Notes a frame published before any model: its individual fragments carry their own id as
     * identity, and that is what a later correction revises.
     */
    public void recordProvisional(long frame, long[] individualFragments) {
        List<Fragment> now = track(frame, individualFragments);
        advance(now);
        for (Fragment f : now) {
            f.published = f.id;
        }
    }

    /** Assigns identities to the individual fragments present in {@code frame} and marks them published. */
    public FrameAssignment assign(long frame, long[] individualFragments) {
        List<Fragment> now = track(frame, individualFragments);
        advance(now);
        solve(now);
        List<Correction> corrections = new ArrayList<>();
        int[] identities = new int[now.size()];
        double[] confidences = new double[now.size()];
        for (int i = 0; i < now.size(); i++) {
            Fragment f = now.get(i);
            identities[i] = f.identity;
            confidences[i] = f.identity == 0 ? 0 : posterior(f, f.identity - 1);
            if (f.published != f.identity && f.published != 0) {
                corrections.add(new Correction(f.id, f.first, frame, f.published, f.identity));
            }
            f.published = f.identity;
        }
        for (Fragment f : displaced) {
            if (f.published != 0) {
                corrections.add(new Correction(f.id, f.first, f.last, f.published, 0));
                f.published = 0;
            }
        }
        displaced.clear();
        return new FrameAssignment(individualFragments.clone(), identities, confidences, corrections);
    }

    private List<Fragment> track(long frame, long[] ids) {
        if (frame <= currentFrame) {
            throw new IllegalArgumentException("frame " + frame + " after frame " + currentFrame + ": frames must increase");
        }
        currentFrame = frame;
        List<Fragment> now = new ArrayList<>(ids.length);
        for (long id : ids) {
            Fragment f = fragments.computeIfAbsent(id, key -> new Fragment(key, frame, animals));
            f.last = frame;
            f.closed = false;
            now.add(f);
        }
        return now;
    }

    /** Closes the fragments of the previous frame that are gone; their identity is barred to those that stay. */
    private void advance(List<Fragment> now) {
        Set<Fragment> staying = new HashSet<>(now);
        for (Fragment gone : present) {
            if (!staying.contains(gone)) {
                gone.closed = true;
                for (Fragment other : present) {
                    if (staying.contains(other)) {
                        other.closedNeighbours.add(gone);
                    }
                }
            }
        }
        present = now;
    }

    /** Hungarian over the fragments with evidence; the others get no identity. */
    private void solve(List<Fragment> now) {
        List<Fragment> rows = new ArrayList<>(now.size());
        for (Fragment f : now) {
            if (f.scored > 0) {
                rows.add(f);
            } else {
                f.identity = 0;
            }
        }
        int n = rows.size();
        if (n == 0) {
            return;
        }
        if (cost.length < n * animals) {
            cost = new double[n * animals];
            assigned = new int[n];
        } else if (assigned.length < n) {
            assigned = new int[n];
        }
        for (int r = 0; r < n; r++) {
            Fragment f = rows.get(r);
            double best = Arrays.stream(f.logSum).max().orElse(0);
            for (int k = 0; k < animals; k++) {
                // Relative to the row's best, so long fragments do not swamp the forbidden-pair cost.
                double c = best - f.logSum[k];
                if (f.identity == k + 1) {
                    c -= options.hysteresis();
                }
                cost[r * animals + k] = c;
            }
            for (Fragment neighbour : f.closedNeighbours) {
                if (neighbour.closed && neighbour.identity > 0 && maxPosterior(neighbour) >= options.certainty()) {
                    cost[r * animals + neighbour.identity - 1] = Double.POSITIVE_INFINITY;
                }
            }
        }
        solver.solve(cost, n, animals, assigned);
        for (int r = 0; r < n; r++) {
            Fragment f = rows.get(r);
            f.identity = assigned[r] + 1;
            for (Fragment neighbour : f.closedNeighbours) {
                if (neighbour.closed && neighbour.identity == f.identity) {
                    neighbour.identity = 0;
                    displaced.add(neighbour);
                }
            }
        }
    }

    private double maxPosterior(Fragment f) {
        if (f.scored == 0) {
            return 0;
        }
        double best = Double.NEGATIVE_INFINITY;
        for (double v : f.logSum) {
            best = Math.max(best, v);
        }
        double sum = 0;
        for (double v : f.logSum) {
            sum += Math.exp(v - best);
        }
        return 1 / sum;
    }

    /** Posterior of identity index k given the fragment's crops, uniform prior. */
    private double posterior(Fragment f, int k) {
        double sum = 0;
        for (double v : f.logSum) {
            sum += Math.exp(v - f.logSum[k]);
        }
        return 1 / sum;
    }

    /** First frame of the fragments retained for re-scoring, or -1 when none is. */
    public long windowFirstFrame() {
        return fragments.values().stream().mapToLong(f -> f.first).min().orElse(-1);
    }

    /** Whether {@code fragment} is retained, so its crops count in a re-score. */
    public boolean retains(long fragment) {
        return fragments.containsKey(fragment);
    }

    /** Drops the fragments that ended before {@code frame}: they will not be re-scored. */
    public void forgetClosedBefore(long frame) {
        fragments.values().removeIf(f -> f.closed && f.last < frame);
    }

    /** Clears the evidence of every retained fragment; score their crops again, then {@link #reassign()}. */
    public void beginRescore() {
        for (Fragment f : fragments.values()) {
            Arrays.fill(f.logSum, 0);
            f.scored = 0;
            f.offered = 0;
        }
    }

    /**
     * Replays the retained fragments' frames with the new evidence and returns a correction for
     * every fragment whose identity differs from what was published, in fragment order.
     */
    public List<Correction> reassign() {
        List<Fragment> window = new ArrayList<>(fragments.values());
        window.sort(Comparator.comparingLong((Fragment f) -> f.first).thenComparingLong(f -> f.id));
        Set<Fragment> inWindow = new HashSet<>(window);
        TreeSet<Long> events = new TreeSet<>();
        for (Fragment f : window) {
            f.identity = 0;
            f.closed = false;
            f.closedNeighbours.removeIf(inWindow::contains);
            events.add(f.first);
        }
        events.add(currentFrame);
        present = List.of();
        for (long t : events) {
            List<Fragment> alive = new ArrayList<>();
            for (Fragment f : window) {
                if (f.first <= t && t <= f.last) {
                    alive.add(f);
                }
            }
            advance(alive);
            solve(alive);
        }
        displaced.clear();
        List<Correction> corrections = new ArrayList<>();
        window.sort(Comparator.comparingLong(f -> f.id));
        for (Fragment f : window) {
            if (f.published != f.identity) {
                corrections.add(new Correction(f.id, f.first, f.last, f.published, f.identity));
                f.published = f.identity;
            }
        }
        return corrections;
    }

    /** Posterior of the identity {@code fragment} holds (0 when it holds none). */
    public double certaintyOf(long fragment) {
        Fragment f = fragments.get(fragment);
        return f == null || f.identity == 0 ? 0 : posterior(f, f.identity - 1);
    }
}
