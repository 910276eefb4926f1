package dev.shoal.identifier.stimulus;

import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.List;

/** A region of the frame in pixels: a circle or a polygon. */
public record Zone(String description, Shape shape) {

    public static Zone circle(double x, double y, double radius) {
        return new Zone("circle x=" + x + " y=" + y + " radius=" + radius,
                new Ellipse2D.Double(x - radius, y - radius, 2 * radius, 2 * radius));
    }

    /** @param vertices at least three {x, y} pairs, in drawing order */
    public static Zone polygon(List<double[]> vertices) {
        Path2D.Double path = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        path.moveTo(vertices.get(0)[0], vertices.get(0)[1]);
        for (double[] v : vertices.subList(1, vertices.size())) {
            path.lineTo(v[0], v[1]);
        }
        path.closePath();
        return new Zone("polygon of " + vertices.size() + " vertices", path);
    }

    public boolean contains(double x, double y) {
        return shape.contains(x, y);
    }

    /** Whether the zone lies within a width x height frame (edges included). */
    public boolean fitsIn(int width, int height) {
        Rectangle2D bounds = shape.getBounds2D();
        return bounds.getMinX() >= 0 && bounds.getMinY() >= 0 && bounds.getMaxX() <= width && bounds.getMaxY() <= height;
    }
}
