package dev.shoal.ingest.arena;

/**
 * How hard the synthetic arena is. Identities can only come from a low-contrast per-animal texture;
 * harder levels lower that contrast, add noise and lighting changes, and bring animals together more
 * often and for longer.
 *
 * @param patternContrast  grey levels between an animal's darkest and lightest texture spots
 * @param noiseSigma       sensor noise, grey levels
 * @param encounterFrames  mean frames between an animal's deliberate approaches to another
 * @param encounterSpread  how far an encounter's approach goes: past 1 the bodies overlap
 * @param drift            slow illumination drift and flicker, as a fraction of the background level
 */
public enum Difficulty {
    EASY(20, 2.0, 400, 0.8, 0),
    MEDIUM(14, 3.0, 260, 1.0, 0),
    HARD(8, 4.0, 170, 1.3, 0.06);

    private final double patternContrast;
    private final double noiseSigma;
    private final int encounterFrames;
    private final double encounterSpread;
    private final double drift;

    Difficulty(double patternContrast, double noiseSigma, int encounterFrames, double encounterSpread, double drift) {
        this.patternContrast = patternContrast;
        this.noiseSigma = noiseSigma;
        this.encounterFrames = encounterFrames;
        this.encounterSpread = encounterSpread;
        this.drift = drift;
    }

    public double patternContrast() {
        return patternContrast;
    }

    public double noiseSigma() {
        return noiseSigma;
    }

    public int encounterFrames() {
        return encounterFrames;
    }

    public double encounterSpread() {
        return encounterSpread;
    }

    public double drift() {
        return drift;
    }
}
