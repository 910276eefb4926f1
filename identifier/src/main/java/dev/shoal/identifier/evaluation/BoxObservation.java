package dev.shoal.identifier.evaluation;

/**
 * One object's bounding box in one frame (MOTChallenge convention: top-left corner and size).
 *
 * @param identity dense identity index into its {@link FrameSeries#identities()}
 */
public record BoxObservation(int identity, double left, double top, double width, double height) {

    public double area() {
        return width * height;
    }

    /** Intersection over union; 0 when the boxes do not overlap or both are empty. */
    public double iou(BoxObservation o) {
        double w = Math.min(left + width, o.left + o.width) - Math.max(left, o.left);
        double h = Math.min(top + height, o.top + o.height) - Math.max(top, o.top);
        if (w <= 0 || h <= 0) {
            return 0;
        }
        double intersection = w * h;
        return intersection / (area() + o.area() - intersection);
    }

    public double centreX() {
        return left + width / 2;
    }

    public double centreY() {
        return top + height / 2;
    }
}
