package dev.shoal.identifier;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Measures (not a test) what certainty-based sampling saves and costs: crops actually scored per
 * animal-frame when a fragment is scored until its identity is certain and then one crop in k, against
 * scoring every crop (the baseline, same session, same crops), and the identity accuracy of the
 * {@link FragmentIdentityAssigner}'s output both ways.
 *
 * <p>The session is synthetic: N animals over F frames, each animal's frames cut into individual
 * fragments (geometric lengths) separated by crossings (3-15 frames without an individual blob). A
 * crop's probabilities are a softmax of Gaussian noise (sigma 1) plus the fragment's own "look" (a
 * Gaussian vector drawn once per fragment, sigma given) plus a signal on its animal and half of it on a
 * confuser fixed per fragment, so errors are correlated within a fragment as a real network's are on
 * consecutive images (with look sigma 0 they are independent, which flatters every strategy). The signal sets the per-crop top-1 accuracy (printed), from a weak model to a
 * good one. Accuracy is per animal-frame: "online" is the identity published in the frame, "final"
 * the fragment's identity after every correction (what trajectories.csv gets).
 *
 * <p>Arguments: animals (10), frames (3000), mean fragment length in frames (60), seed (1), fragment
 * look sigma (1).
 */
public final class CertaintySamplingBenchmark {

    private CertaintySamplingBenchmark() {
    }

    /** One individual fragment: its animal, frames, the identity it is confused with, and its own look. */
    private record Fragment(long id, int animal, int first, int last, int confuser, double[] look) {
    }

    private record Outcome(long animalFrames, long scored, long onlineCorrect, long finalCorrect, long corrections,
                           long cropsCorrect) {
    }

    public static void main(String[] args) {
        int animals = Integer.parseInt(args.length > 0 ? args[0] : "10");
        int frames = Integer.parseInt(args.length > 1 ? args[1] : "3000");
        double meanFragment = Double.parseDouble(args.length > 2 ? args[2] : "60");
        long seed = Long.parseLong(args.length > 3 ? args[3] : "1");
        double lookSigma = Double.parseDouble(args.length > 4 ? args[4] : "1");
        List<Fragment> fragments = session(animals, frames, meanFragment, lookSigma, new Random(seed));
        System.out.printf(Locale.ROOT, "%d animals, %d frames, %d fragments (mean %.0f frames), fragment look"
                        + " sigma %.1f, seed %d%n", animals, frames, fragments.size(),
                fragments.stream().mapToInt(f -> f.last() - f.first() + 1).average().orElse(0), lookSigma, seed);
        FragmentIdentityAssigner.Options defaults = FragmentIdentityAssigner.Options.defaults();
        Map<String, FragmentIdentityAssigner.Options> strategies = new LinkedHashMap<>();
        strategies.put("every crop (baseline)", new FragmentIdentityAssigner.Options(defaults.hysteresis(),
                defaults.certainty(), defaults.minScored(), 1, defaults.probabilityFloor()));
        strategies.put("until certain, then 1 in 10 (default)", defaults);
        strategies.put("at least 20 crops and certain at 1e-5, then 1 in 10", new FragmentIdentityAssigner.Options(
                defaults.hysteresis(), 1 - 1e-5, 20, defaults.sparseEvery(), defaults.probabilityFloor()));
        strategies.put("until certain, then 1 in 30", new FragmentIdentityAssigner.Options(defaults.hysteresis(),
                defaults.certainty(), defaults.minScored(), 30, defaults.probabilityFloor()));
        strategies.put("until certain, then none", new FragmentIdentityAssigner.Options(defaults.hysteresis(),
                defaults.certainty(), defaults.minScored(), Integer.MAX_VALUE, defaults.probabilityFloor()));
        System.out.println("| signal | per-crop top-1 | strategy | crops scored per animal-frame | online accuracy | final accuracy | corrections |");
        System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
        for (double signal : new double[] {1.5, 2.5, 4.0}) {
            for (Map.Entry<String, FragmentIdentityAssigner.Options> strategy : strategies.entrySet()) {
                // The same crops (same random stream) for every strategy; each scores a subset of them.
                Outcome o = run(fragments, animals, frames, signal, strategy.getValue(), new Random(seed + 1));
                System.out.printf(Locale.ROOT, "| %.1f | %.3f | %s | %.3f | %.4f | %.4f | %d |%n", signal,
                        o.cropsCorrect() / (double) o.animalFrames(), strategy.getKey(),
                        o.scored() / (double) o.animalFrames(), o.onlineCorrect() / (double) o.animalFrames(),
                        o.finalCorrect() / (double) o.animalFrames(), o.corrections());
            }
        }
    }

    private static List<Fragment> session(int animals, int frames, double meanFragment, double lookSigma,
                                          Random random) {
        List<Fragment> fragments = new ArrayList<>();
        long id = 1;
        for (int animal = 0; animal < animals; animal++) {
            int t = random.nextInt(10);
            while (t < frames) {
                int length = 1 + (int) Math.floor(Math.log(1 - random.nextDouble()) / Math.log(1 - 1 / meanFragment));
                int last = Math.min(frames - 1, t + length - 1);
                int confuser = (animal + 1 + random.nextInt(animals - 1)) % animals;
                double[] look = new double[animals];
                for (int k = 0; k < animals; k++) {
                    look[k] = lookSigma * random.nextGaussian();
                }
                fragments.add(new Fragment(id++, animal, t, last, confuser, look));
                t = last + 1 + 3 + random.nextInt(13);
            }
        }
        return fragments;
    }

    private static Outcome run(List<Fragment> fragments, int animals, int frames, double signal,
                               FragmentIdentityAssigner.Options options, Random random) {
        FragmentIdentityAssigner assigner = new FragmentIdentityAssigner(animals, options);
        Map<Long, Fragment> byId = new HashMap<>();
        List<List<Fragment>> present = new ArrayList<>();
        for (int t = 0; t < frames; t++) {
            present.add(new ArrayList<>());
        }
        for (Fragment f : fragments) {
            byId.put(f.id(), f);
            for (int t = f.first(); t <= f.last(); t++) {
                present.get(t).add(f);
            }
        }
        Map<Long, Long> finalIdentity = new HashMap<>();
        long animalFrames = 0;
        long scored = 0;
        long onlineCorrect = 0;
        long corrections = 0;
        long cropsCorrect = 0;
        float[] probabilities = new float[animals];
        for (int t = 0; t < frames; t++) {
            List<Fragment> now = present.get(t);
            long[] ids = new long[now.size()];
            for (int i = 0; i < ids.length; i++) {
                Fragment f = now.get(i);
                ids[i] = f.id();
                // Drawn for every crop, scored or not, so all strategies see the same crops.
                boolean argmaxRight = crop(f, signal, random, probabilities);
                cropsCorrect += argmaxRight ? 1 : 0;
                if (assigner.wantsScore(f.id())) {
                    assigner.addEvidence(f.id(), t, probabilities);
                    scored++;
                }
            }
            FragmentIdentityAssigner.FrameAssignment assignment = assigner.assign(t, ids);
            for (int i = 0; i < ids.length; i++) {
                animalFrames++;
                onlineCorrect += assignment.identities()[i] == now.get(i).animal() + 1 ? 1 : 0;
                finalIdentity.put(ids[i], (long) assignment.identities()[i]);
            }
            for (FragmentIdentityAssigner.Correction c : assignment.corrections()) {
                finalIdentity.put(c.fragment(), c.newIdentity());
                corrections++;
            }
        }
        long finalCorrect = 0;
        for (Map.Entry<Long, Long> e : finalIdentity.entrySet()) {
            Fragment f = byId.get(e.getKey());
            if (e.getValue() == f.animal() + 1) {
                finalCorrect += f.last() - f.first() + 1;
            }
        }
        return new Outcome(animalFrames, scored, onlineCorrect, finalCorrect, corrections, cropsCorrect);
    }

    /** Fills {@code out} with one crop's probabilities; returns whether its top class is the animal. */
    private static boolean crop(Fragment f, double signal, Random random, float[] out) {
        double[] logits = new double[out.length];
        double max = Double.NEGATIVE_INFINITY;
        int best = 0;
        for (int k = 0; k < out.length; k++) {
            logits[k] = random.nextGaussian() + f.look()[k]
                    + (k == f.animal() ? signal : k == f.confuser() ? signal / 2 : 0);
            if (logits[k] > max) {
                max = logits[k];
                best = k;
            }
        }
        double sum = 0;
        for (int k = 0; k < out.length; k++) {
            logits[k] = Math.exp(logits[k] - max);
            sum += logits[k];
        }
        for (int k = 0; k < out.length; k++) {
            out[k] = (float) (logits[k] / sum);
        }
        return best == f.animal();
    }
}
