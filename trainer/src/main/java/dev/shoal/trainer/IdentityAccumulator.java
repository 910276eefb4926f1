package dev.shoal.trainer;

import dev.shoal.core.BadInputException;
import dev.shoal.core.assignment.LinearAssignmentSolver;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Learns the animals' identities from global fragments, after idtracker.ai's protocols 1 to 3.
 *
 * <p>The first step labels the global fragment whose shortest fragment is longest (its fragments get
 * identities 0..N-1 in their order) and trains the network on it. Each later step scores every global
 * fragment not accepted yet. Its fragments identified already hold their identities, and the new
 * ones share the identities left free (all N animals are in a global fragment): a single new
 * fragment takes the last free identity; several are accepted when (a) each is certain among the
 * free identities (idtracker.ai's certainty of a fragment: from the share of its images voting for
 * each identity and the median probabilities, the lead of the best identity over the second), and
 * (b) the assignment of new fragments to free identities that maximises the summed
 * log-probabilities gives each the identity it prefers, so no two claim one identity, and (c) no new
 * fragment would take an identity that a fragment coexisting with it in another global fragment
 * holds. A pass over the candidates repeats while it accepts something, since each acceptance
 * identifies fragments that other candidates share.
 *
 * <p>Partial accumulation (idtracker.ai's, used when the global strategy stalls): a step that
 * accepts no global fragment whole accepts fragments on their own instead. In each global fragment
 * not accepted, a new fragment of at least minCrops crops is accepted with the identity it prefers
 * among the free ones when its certainty there exceeds {@code partialCertaintyThreshold}, no other
 * certain new fragment of that global fragment prefers the same identity, and no fragment coexisting
 * with it in any stored global fragment holds that identity; passes repeat while they accept
 * something. The next step tries whole global fragments first again. A global fragment counts as
 * accepted ({@link #acceptedGlobals}) only once all its fragments are identified; until then its
 * identified fragments are only in {@link #identities}, which is all a {@link Checkpoint} needs to
 * carry partial acceptances over a restart. Unlike idtracker.ai, partial accumulation does not wait
 * for half of the images to be accepted globally, nor for half of a fragment's coexisting fragments
 * to be identified: on crowded arenas global fragments are too few for that (docs/EXPERIMENTS.md).
 *
 * <p>The accepted fragments' images join the training set and the network is trained again from its
 * previous weights, once they add at least {@link #MIN_RETRAIN_GAIN} to what it was last trained on. (With the contrastive method the labels only add pairs: two fragments of one
 * identity are the same animal, and they seed and number the clusters; see {@link ContrastiveTrainer}.)
 * Accumulation ends when the accepted images reach {@code stopShare} of the stored images, or when a
 * step accepts nothing, whole or in part.
 *
 * <p>Pure: it reads a {@link GlobalFragmentStore.Snapshot} and trains; no Kafka. Not thread-safe.
 */
public final class IdentityAccumulator implements AutoCloseable {

    private static final int SCORING_BATCH = 256;
    /**
     * A step retrains only when its acceptances add at least this share to the images the network was
     * last trained on; smaller gains wait for the next step's (measured on easy-5: one more fragment of
     * 11 images cost a 234 s retraining).
     */
    static final double MIN_RETRAIN_GAIN = 0.02;
    private static final double PARTIAL_CERTAINTY = 0.1;

    /**
     * @param training                  how each training run trains (its method selects classic, pairwise or contrastive)
     * @param architecture              the identity network
     * @param certaintyThreshold        a new fragment of a global fragment accepted whole is certain when its certainty
     *                                  exceeds this (idtracker.ai: 0.1)
     * @param stopShare                 accumulation ends when accepted images reach this share of the stored images
     * @param minCrops                  a global fragment is usable when each of its fragments has at least this many
     *                                  crops; a fragment is accepted on its own only with at least this many
     * @param partialCertaintyThreshold a fragment is accepted on its own (partial accumulation) only when its
     *                                  certainty exceeds this; 1 turns partial accumulation off
     */
    public record Options(TrainingOptions training, IdentityNetwork.Architecture architecture, double certaintyThreshold,
                          double stopShare, int minCrops, double partialCertaintyThreshold) {

        public Options {
            if (training == null || architecture == null) {
                throw new BadInputException("accumulation options: training options and architecture are required");
            }
            if (!(certaintyThreshold >= 0 && certaintyThreshold < 1)) {
                throw new BadInputException("accumulation options: certaintyThreshold is " + certaintyThreshold
                        + "; give a value in [0, 1) (idtracker.ai uses 0.1)");
            }
            if (!(stopShare > 0 && stopShare <= 1)) {
                throw new BadInputException("accumulation options: stopShare is " + stopShare
                        + "; give a share in (0, 1] (default 0.9995)");
            }
            if (minCrops < 2) {
                throw new BadInputException("accumulation options: minCrops is " + minCrops + "; give at least 2");
            }
            if (!(partialCertaintyThreshold >= certaintyThreshold && partialCertaintyThreshold <= 1)) {
                throw new BadInputException("accumulation options: partialCertaintyThreshold is " + partialCertaintyThreshold
                        + "; give a value in [certaintyThreshold, 1] (1 turns partial accumulation off)");
            }
        }

        /**
         * idtracker.ai's certainty threshold 0.1, stop at 99.95% of the images, fragments of at least 4 crops,
         * and a fragment accepted on its own when its certainty exceeds PARTIAL_CERTAINTY.
         */
        public static Options defaults(TrainingOptions training, IdentityNetwork.Architecture architecture) {
            return new Options(training, architecture, 0.1, 0.9995, 4, PARTIAL_CERTAINTY);
        }

        public Options withMinCrops(int crops) {
            return new Options(training, architecture, certaintyThreshold, stopShare, crops, partialCertaintyThreshold);
        }

        public Options withPartialCertaintyThreshold(double threshold) {
            return new Options(training, architecture, certaintyThreshold, stopShare, minCrops, threshold);
        }
    }

    /**
     * What one step did.
     *
     * @param trained           whether the network was trained in this step (not when it accepted nothing, nor
     *                          when its acceptances add under {@link #MIN_RETRAIN_GAIN} to the last training's images)
     * @param accepted          global fragments that became accepted in this step (the first one included; whole,
     *                          or completed by fragments accepted on their own)
     * @param partialFragments  fragments accepted on their own in this step (partial accumulation)
     * @param acceptedImages    images of identified fragments, after the step
     * @param storedImages      images in the snapshot
     * @param report            the training run's report, or null when it did not train
     */
    public record Step(boolean trained, int accepted, int partialFragments, long acceptedImages, long storedImages,
                       TrainingReport report) {

        /** Whether the step identified any fragment, whole global fragments or fragments on their own. */
        public boolean acceptedAny() {
            return accepted > 0 || partialFragments > 0;
        }
    }

    /**
     * What the accumulator has learnt, to resume from after a restart: the identity of each accepted
     * fragment (accepted with its global fragment or on its own), the global fragments all of whose
     * fragments are identified, the training runs so far, and the last model's weights and report
     * (null before the first training). Partial accumulation needs nothing more: a global fragment
     * accepted in part is known by its fragments' identities.
     */
    public record Checkpoint(Map<Long, Integer> identities, Set<Long> acceptedGlobals, int trainings, byte[] weights,
                             TrainingReport report) {

        public Checkpoint {
            identities = Map.copyOf(identities);
            acceptedGlobals = Set.copyOf(acceptedGlobals);
            if ((weights == null) != (report == null)) {
                throw new BadInputException("accumulator checkpoint: weights and report go together; give both or neither");
            }
        }
    }

    private final int animals;
    private final Options options;
    private final IdentityNetwork network;
    private final PrintWriter progress;
    private final Map<Long, Integer> identities = new HashMap<>();
    private final Set<Long> acceptedGlobals = new HashSet<>();
    private final LinearAssignmentSolver solver = new LinearAssignmentSolver();
    private TrainedIdentityModel model;
    private int trainings;
    /** Accepted images when the network was last trained (0 after a resume: the next acceptance retrains). */
    private long trainedOnImages;

    /** @param progress where training progress prints; null for none */
    public IdentityAccumulator(int animals, int cropSize, Options options, PrintWriter progress) {
        this.animals = animals;
        this.options = options;
        this.network = new IdentityNetwork(options.architecture(), cropSize, animals).forMethod(options.training().method());
        this.progress = progress;
    }

    /**
     * An accumulator that carries on from a checkpoint: its accepted fragments keep their identities
     * and the next training starts from the checkpoint's weights.
     */
    public static IdentityAccumulator resume(int animals, int cropSize, Options options, PrintWriter progress,
                                             Checkpoint checkpoint) {
        IdentityAccumulator accumulator = new IdentityAccumulator(animals, cropSize, options, progress);
        for (int identity : checkpoint.identities().values()) {
            if (identity < 0 || identity >= animals) {
                throw new BadInputException("accumulator checkpoint: identity " + identity + " is outside 0.."
                        + (animals - 1) + "; resume with the number of animals it was made with");
            }
        }
        accumulator.identities.putAll(checkpoint.identities());
        accumulator.acceptedGlobals.addAll(checkpoint.acceptedGlobals());
        accumulator.trainings = checkpoint.trainings();
        if (checkpoint.weights() != null) {
            accumulator.model = TrainedIdentityModel.of(accumulator.network, checkpoint.weights(), checkpoint.report());
        }
        return accumulator;
    }

    /** What has been learnt so far, to {@link #resume} from. */
    public Checkpoint checkpoint() {
        return new Checkpoint(identities, acceptedGlobals, trainings, model == null ? null : model.weights(),
                model == null ? null : model.report());
    }

    /** A global fragment of the snapshot to start from exists: N fragments, each with at least minCrops crops. */
    public boolean canStart(GlobalFragmentStore.Snapshot snapshot) {
        return firstGlobal(snapshot) != null;
    }

    /**
     * Starts (labels the first global fragment and trains) or, once started, runs one accumulation
     * step: whole global fragments, or fragments on their own when no global fragment can be accepted
     * whole; trains again when either accepted something.
     */
    public Step step(GlobalFragmentStore.Snapshot snapshot) {
        if (snapshot.cropSize() != network.cropSize()) {
            throw new BadInputException("accumulation: stored crops are " + snapshot.cropSize() + "x" + snapshot.cropSize()
                    + " but the network expects " + network.cropSize() + "; make them match");
        }
        if (model == null) {
            GlobalFragmentStore.StoredGlobal first = firstGlobal(snapshot);
            if (first == null) {
                return new Step(false, 0, 0, 0, snapshot.images(), null);
            }
            long[] ids = first.fragmentIds();
            for (int k = 0; k < ids.length; k++) {
                identities.put(ids[k], k);
            }
            acceptedGlobals.add(first.id());
            return new Step(true, 1, 0, acceptedImages(snapshot), snapshot.images(), train(snapshot));
        }
        Map<Long, FragmentScore> scores = new HashMap<>();
        int accepted = accept(snapshot, scores);
        int partial = 0;
        if (accepted == 0) {
            // idtracker.ai's order: fragments on their own only once no global fragment can be accepted whole.
            int before = acceptedGlobals.size();
            partial = acceptPartially(snapshot, scores);
            accepted = acceptedGlobals.size() - before;
        }
        if (accepted == 0 && partial == 0) {
            return new Step(false, 0, 0, acceptedImages(snapshot), snapshot.images(), null);
        }
        long acceptedImages = acceptedImages(snapshot);
        if (acceptedImages - trainedOnImages < MIN_RETRAIN_GAIN * trainedOnImages) {
            // A retraining costs as much whatever it adds, and a few images more would barely move the network.
            return new Step(false, accepted, partial, acceptedImages, snapshot.images(), null);
        }
        return new Step(true, accepted, partial, acceptedImages, snapshot.images(), train(snapshot));
    }

    /** Trains again on what is accepted now (e.g. for the methods that learn from pairs when new global fragments arrived). */
    public TrainingReport retrain(GlobalFragmentStore.Snapshot snapshot) {
        if (model == null) {
            throw new IllegalStateException("retrain before the first training");
        }
        return train(snapshot);
    }

    /**
     * Steps until the accepted images reach the stop share or a step accepts nothing, neither a whole
     * global fragment nor a fragment on its own; returns the last step. Acceptances too small to
     * retrain on still go on: each one may free what others need.
     */
    public Step accumulate(GlobalFragmentStore.Snapshot snapshot) {
        Step step = step(snapshot);
        while (step.acceptedAny() && !finished(snapshot)) {
            step = step(snapshot);
        }
        return step;
    }

    /** Whether the accepted images reach the stop share of the snapshot's images. */
    public boolean finished(GlobalFragmentStore.Snapshot snapshot) {
        long stored = snapshot.images();
        return stored > 0 && acceptedImages(snapshot) >= options.stopShare() * stored;
    }

    /** The network trained last, or null before the first step that trained. */
    public TrainedIdentityModel model() {
        return model;
    }

    /** Identity (0..N-1) per accepted fragment id, whether accepted with its global fragment or on its own. */
    public Map<Long, Integer> identities() {
        return Map.copyOf(identities);
    }

    /** Ids of the accepted global fragments: those all of whose fragments are identified. */
    public Set<Long> acceptedGlobals() {
        return Set.copyOf(acceptedGlobals);
    }

    /** Training runs so far. */
    public int trainings() {
        return trainings;
    }

    public long acceptedImages(GlobalFragmentStore.Snapshot snapshot) {
        long total = 0;
        for (long id : identities.keySet()) {
            GlobalFragmentStore.StoredFragment f = snapshot.fragment(id);
            if (f != null) {
                total += f.crops();
            }
        }
        return total;
    }

    @Override
    public void close() {
        if (model != null) {
            model.close();
            model = null;
        }
    }

    private TrainingReport train(GlobalFragmentStore.Snapshot snapshot) {
        trainedOnImages = acceptedImages(snapshot);
        boolean pairs = options.training().method() != TrainingMethod.CLASSIC;
        TrainingImages images = new FragmentTrainingSet(snapshot, animals, identities, pairs);
        TrainedIdentityModel trained = new IdentityTrainer(options.training(), progress).train(network, images, model);
        if (model != null) {
            model.close();
        }
        model = trained;
        trainings++;
        return trained.report();
    }

    private GlobalFragmentStore.StoredGlobal firstGlobal(GlobalFragmentStore.Snapshot snapshot) {
        GlobalFragmentStore.StoredGlobal best = null;
        int bestShortest = -1;
        for (GlobalFragmentStore.StoredGlobal g : snapshot.globals()) {
            int shortest = shortest(snapshot, g);
            if (g.fragmentIds().length == animals && shortest >= options.minCrops() && shortest > bestShortest) {
                best = g;
                bestShortest = shortest;
            }
        }
        return best;
    }

    private static int shortest(GlobalFragmentStore.Snapshot snapshot, GlobalFragmentStore.StoredGlobal g) {
        int shortest = Integer.MAX_VALUE;
        for (long id : g.fragmentIds()) {
            shortest = Math.min(shortest, snapshot.fragment(id).crops());
        }
        return shortest;
    }

    /**
     * Scores the candidates, longest shortest fragment first, accepting each whose assignment passes
     * and gives no new fragment an identity a coexisting fragment holds, and goes over the rest again
     * while a pass accepts something (an accepted global fragment identifies fragments that later
     * candidates share); returns how many were accepted.
     */
    private int accept(GlobalFragmentStore.Snapshot snapshot, Map<Long, FragmentScore> scores) {
        Map<Long, GlobalFragmentStore.StoredGlobal> byId = byId(snapshot);
        List<GlobalFragmentStore.StoredGlobal> candidates = candidates(snapshot, options.minCrops());
        int accepted = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (var it = candidates.iterator(); it.hasNext(); ) {
                GlobalFragmentStore.StoredGlobal g = it.next();
                int[] assignment = assignment(snapshot, g, scores);
                if (assignment != null && !conflicts(snapshot, g, assignment, byId)) {
                    long[] ids = g.fragmentIds();
                    for (int i = 0; i < ids.length; i++) {
                        identities.putIfAbsent(ids[i], assignment[i]);
                    }
                    acceptedGlobals.add(g.id());
                    it.remove();
                    accepted++;
                    progress = true;
                }
            }
        }
        return accepted;
    }

    /**
     * The global fragments of N fragments not accepted yet whose shortest fragment has at least
     * {@code minShortest} crops, longest shortest fragment first.
     */
    private List<GlobalFragmentStore.StoredGlobal> candidates(GlobalFragmentStore.Snapshot snapshot, int minShortest) {
        List<GlobalFragmentStore.StoredGlobal> candidates = new ArrayList<>();
        for (GlobalFragmentStore.StoredGlobal g : snapshot.globals()) {
            if (!acceptedGlobals.contains(g.id()) && g.fragmentIds().length == animals
                    && shortest(snapshot, g) >= minShortest) {
                candidates.add(g);
            }
        }
        candidates.sort(Comparator.comparingInt((GlobalFragmentStore.StoredGlobal g) -> shortest(snapshot, g)).reversed());
        return candidates;
    }

    /**
     * idtracker.ai's partial accumulation: goes over the global fragments not accepted yet, accepting
     * in each those new fragments that can be told on their own (see {@link #acceptFragmentsOf}), and
     * again while a pass accepts something (each acceptance takes an identity away from the fragments
     * that coexist with it). A global fragment whose fragments are then all identified is accepted.
     * Returns how many fragments were accepted.
     */
    private int acceptPartially(GlobalFragmentStore.Snapshot snapshot, Map<Long, FragmentScore> scores) {
        Map<Long, GlobalFragmentStore.StoredGlobal> byId = byId(snapshot);
        // Fragments too short to be told on their own are left out fragment by fragment, not with their global fragment.
        List<GlobalFragmentStore.StoredGlobal> candidates = candidates(snapshot, 0);
        int accepted = 0;
        boolean progress = true;
        while (progress) {
            progress = false;
            for (GlobalFragmentStore.StoredGlobal g : candidates) {
                int n = acceptFragmentsOf(snapshot, g, byId, scores);
                accepted += n;
                progress |= n > 0;
            }
        }
        for (GlobalFragmentStore.StoredGlobal g : candidates) {
            if (identifiedWithoutDuplicate(g)) {
                acceptedGlobals.add(g.id());
            }
        }
        return accepted;
    }

    /**
     * Accepts the new fragments of one global fragment that are each certain on their own: scored among
     * the identities its identified fragments leave free, a fragment of at least minCrops crops is
     * accepted with the identity it prefers when its certainty exceeds the partial threshold, no other
     * certain new fragment of this global fragment prefers the same identity (then neither can be
     * trusted), and no fragment coexisting with it in any global fragment holds that identity. Returns
     * how many were accepted.
     */
    private int acceptFragmentsOf(GlobalFragmentStore.Snapshot snapshot, GlobalFragmentStore.StoredGlobal g,
                                  Map<Long, GlobalFragmentStore.StoredGlobal> byId, Map<Long, FragmentScore> scores) {
        long[] ids = g.fragmentIds();
        boolean[] taken = new boolean[animals];
        List<Long> open = new ArrayList<>();
        for (long id : ids) {
            Integer known = identities.get(id);
            if (known == null) {
                if (snapshot.fragment(id).crops() >= options.minCrops()) {
                    open.add(id);
                }
            } else if (taken[known]) {
                return 0;
            } else {
                taken[known] = true;
            }
        }
        int[] free = new int[animals];
        int f = 0;
        for (int c = 0; c < animals; c++) {
            if (!taken[c]) {
                free[f++] = c;
            }
        }
        free = Arrays.copyOf(free, f);
        // One free identity is elimination, left to whole acceptance, which checks the whole global fragment.
        if (open.isEmpty() || free.length < 2) {
            return 0;
        }
        int[] preferred = new int[open.size()];
        int[] claims = new int[animals];
        for (int k = 0; k < open.size(); k++) {
            FragmentScore score = scores.computeIfAbsent(open.get(k), id -> score(snapshot, snapshot.fragment(id)));
            FragmentScore.Among among = score.among(free);
            preferred[k] = among.certainty() > options.partialCertaintyThreshold() ? free[among.best()] : -1;
            if (preferred[k] >= 0) {
                claims[preferred[k]]++;
            }
        }
        int accepted = 0;
        for (int k = 0; k < open.size(); k++) {
            if (preferred[k] >= 0 && claims[preferred[k]] == 1
                    && !heldByACoexistingFragment(snapshot, open.get(k), preferred[k], byId)) {
                identities.put(open.get(k), preferred[k]);
                accepted++;
            }
        }
        return accepted;
    }

    /** Whether a fragment sharing a global fragment with {@code fragment} has {@code identity}. */
    private boolean heldByACoexistingFragment(GlobalFragmentStore.Snapshot snapshot, long fragment, int identity,
                                              Map<Long, GlobalFragmentStore.StoredGlobal> byId) {
        for (long globalId : snapshot.fragment(fragment).globals()) {
            GlobalFragmentStore.StoredGlobal h = byId.get(globalId);
            if (h == null) {
                continue;
            }
            for (long other : h.fragmentIds()) {
                if (other != fragment && Integer.valueOf(identity).equals(identities.get(other))) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a new fragment of a global fragment about to be accepted whole would share its identity
     * with a fragment it coexists with in another global fragment (one of the two would be wrong).
     */
    private boolean conflicts(GlobalFragmentStore.Snapshot snapshot, GlobalFragmentStore.StoredGlobal g, int[] assignment,
                              Map<Long, GlobalFragmentStore.StoredGlobal> byId) {
        long[] ids = g.fragmentIds();
        for (int i = 0; i < ids.length; i++) {
            if (!identities.containsKey(ids[i]) && heldByACoexistingFragment(snapshot, ids[i], assignment[i], byId)) {
                return true;
            }
        }
        return false;
    }

    private static Map<Long, GlobalFragmentStore.StoredGlobal> byId(GlobalFragmentStore.Snapshot snapshot) {
        Map<Long, GlobalFragmentStore.StoredGlobal> byId = new HashMap<>();
        for (GlobalFragmentStore.StoredGlobal g : snapshot.globals()) {
            byId.put(g.id(), g);
        }
        return byId;
    }

    private boolean identifiedWithoutDuplicate(GlobalFragmentStore.StoredGlobal g) {
        boolean[] taken = new boolean[animals];
        for (long id : g.fragmentIds()) {
            Integer known = identities.get(id);
            if (known == null || taken[known]) {
                return false;
            }
            taken[known] = true;
        }
        return true;
    }

    /**
     * The identity of each fragment of the global fragment when it can be accepted, else null.
     * Fragments identified already keep their identity, and since all N animals are in a global
     * fragment, the new fragments share the identities left free: one new fragment takes the last
     * free identity; several are scored among the free identities only, each must be certain among
     * them and get the one it prefers, with no two taking the same.
     */
    private int[] assignment(GlobalFragmentStore.Snapshot snapshot, GlobalFragmentStore.StoredGlobal g,
                             Map<Long, FragmentScore> scores) {
        long[] ids = g.fragmentIds();
        int n = ids.length;
        int[] assignment = new int[n];
        boolean[] taken = new boolean[animals];
        List<Integer> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Integer known = identities.get(ids[i]);
            if (known == null) {
                open.add(i);
            } else if (taken[known]) {
                return null;
            } else {
                taken[known] = true;
                assignment[i] = known;
            }
        }
        int[] free = new int[open.size()];
        int f = 0;
        for (int c = 0; c < animals && f < free.length; c++) {
            if (!taken[c]) {
                free[f++] = c;
            }
        }
        if (f != open.size()) {
            return null;
        }
        if (open.size() == 1) {
            assignment[open.get(0)] = free[0];
            return assignment;
        }
        int m = open.size();
        double[] cost = new double[m * m];
        int[] preferred = new int[m];
        for (int k = 0; k < m; k++) {
            FragmentScore score = scores.computeIfAbsent(ids[open.get(k)], id -> score(snapshot, snapshot.fragment(id)));
            FragmentScore.Among among = score.among(free);
            if (among.certainty() <= options.certaintyThreshold()) {
                return null;
            }
            preferred[k] = among.best();
            for (int j = 0; j < m; j++) {
                cost[k * m + j] = -among.logProbabilities()[j];
            }
        }
        int[] chosen = new int[m];
        if (solver.solve(cost, m, m, chosen) < m) {
            return null;
        }
        for (int k = 0; k < m; k++) {
            if (chosen[k] != preferred[k]) {
                return null;
            }
            assignment[open.get(k)] = free[chosen[k]];
        }
        return assignment;
    }

    /** Each image's log-probability per identity under the current network. */
    private record FragmentScore(float[][] logProbabilities) {

        /** Summed log-probabilities, preferred identity and certainty among some identities only. */
        record Among(double[] logProbabilities, int best, double certainty) {
        }

        /**
         * Scores among {@code identities} (indexes into them in the result): each image's
         * probabilities renormalised over those identities, as if the others could not be it.
         */
        Among among(int[] identities) {
            int k = identities.length;
            int images = logProbabilities.length;
            double[] logSum = new double[k];
            int[] votes = new int[k];
            float[][] probabilities = new float[k][images];
            for (int i = 0; i < images; i++) {
                float[] row = logProbabilities[i];
                double max = Double.NEGATIVE_INFINITY;
                int argmax = 0;
                for (int j = 0; j < k; j++) {
                    if (row[identities[j]] > max) {
                        max = row[identities[j]];
                        argmax = j;
                    }
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    sum += Math.exp(row[identities[j]] - max);
                }
                double logNorm = max + Math.log(sum);
                for (int j = 0; j < k; j++) {
                    double logP = row[identities[j]] - logNorm;
                    logSum[j] += logP;
                    probabilities[j][i] = (float) Math.exp(logP);
                }
                votes[argmax]++;
            }
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (logSum[j] > logSum[best]) {
                    best = j;
                }
            }
            return new Among(logSum, best, certainty(votes, probabilities, images));
        }
    }

    private FragmentScore score(GlobalFragmentStore.Snapshot snapshot, GlobalFragmentStore.StoredFragment fragment) {
        int pixels = network.pixels();
        int crops = fragment.crops();
        byte[] crop = new byte[pixels];
        float[][] logProbabilities = new float[crops][animals];
        for (int from = 0; from < crops; from += SCORING_BATCH) {
            int batch = Math.min(SCORING_BATCH, crops - from);
            float[] inputs = new float[batch * pixels];
            for (int i = 0; i < batch; i++) {
                snapshot.readCrop(fragment, from + i, crop, 0);
                IdentityNetwork.scalePixels(crop, 0, inputs, i * pixels, pixels);
            }
            float[] logits = model.logits(inputs, batch);
            for (int i = 0; i < batch; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < animals; c++) {
                    max = Math.max(max, logits[i * animals + c]);
                }
                double sum = 0;
                for (int c = 0; c < animals; c++) {
                    sum += Math.exp(logits[i * animals + c] - max);
                }
                double logNorm = max + Math.log(sum);
                for (int c = 0; c < animals; c++) {
                    logProbabilities[from + i][c] = (float) (logits[i * animals + c] - logNorm);
                }
            }
        }
        return new FragmentScore(logProbabilities);
    }

    /**
     * idtracker.ai's certainty of a fragment: with P1 the share of its images voting for each identity
     * and m the median probability of each identity over its images, for the two identities with the
     * most votes, (P1_1 m_1 - P1_2 m_2) / (P1_1 + P1_2). 1 when a single identity exists.
     */
    private static double certainty(int[] votes, float[][] probabilities, int images) {
        if (votes.length == 1) {
            return 1;
        }
        int first = -1;
        int second = -1;
        for (int c = 0; c < votes.length; c++) {
            if (first < 0 || votes[c] > votes[first]) {
                second = first;
                first = c;
            } else if (second < 0 || votes[c] > votes[second]) {
                second = c;
            }
        }
        double p1 = (double) votes[first] / images;
        double p2 = (double) votes[second] / images;
        return (p1 * median(probabilities[first]) - p2 * median(probabilities[second])) / (p1 + p2);
    }

    private static double median(float[] values) {
        float[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
