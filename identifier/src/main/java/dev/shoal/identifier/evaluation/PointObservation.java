package dev.shoal.identifier.evaluation;

/**
 * One animal's position in one frame.
 *
 * @param identity dense identity index into its {@link FrameSeries#identities()}
 * @param x        pixels, right
 * @param y        pixels, down
 * @param touching whether the animal touches another (truth only; false when unknown)
 */
public record PointObservation(int identity, double x, double y, boolean touching) {
}
