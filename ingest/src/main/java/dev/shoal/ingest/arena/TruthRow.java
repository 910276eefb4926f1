package dev.shoal.ingest.arena;

/**
 * Ground truth of one animal in one frame: its body's centre of mass, heading (radians, image
 * coordinates, y down) and whether its body overlaps or touches another's.
 */
public record TruthRow(long frame, int identity, double x, double y, double angle, boolean touching) {
}
