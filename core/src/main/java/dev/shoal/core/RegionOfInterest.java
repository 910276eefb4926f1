package dev.shoal.core;

/**
 * A rectangle of the frame, in pixels: left, top, width, height. Ingest keeps only this part of each
 * frame; the segmenter looks for animals only inside it.
 */
public record RegionOfInterest(int x, int y, int width, int height) {

    /** Parses {@code x,y,width,height}; {@code option} names the option in the one-line error. */
    public static RegionOfInterest parse(String option, String text) {
        String[] parts = text.split(",");
        if (parts.length == 4) {
            try {
                RegionOfInterest roi = new RegionOfInterest(Integer.parseInt(parts[0].trim()),
                        Integer.parseInt(parts[1].trim()), Integer.parseInt(parts[2].trim()),
                        Integer.parseInt(parts[3].trim()));
                if (roi.x >= 0 && roi.y >= 0 && roi.width > 0 && roi.height > 0) {
                    return roi;
                }
            } catch (NumberFormatException ignored) {
                // Falls through to the one-line error below.
            }
        }
        throw new BadInputException(option + " " + text + ": give x,y,width,height in pixels, e.g. 100,50,640,480");
    }

    /** Fails with a one-line error when the region does not lie inside a {@code frameWidth x frameHeight} frame. */
    public void requireInside(String source, int frameWidth, int frameHeight) {
        if (x + width > frameWidth || y + height > frameHeight) {
            throw new BadInputException(source + ": region of interest " + x + "," + y + "," + width + "," + height
                    + " goes outside the " + frameWidth + "x" + frameHeight + " frame; give one inside it");
        }
    }

    /** Copies this region out of a row-major GRAY8 image {@code frameWidth} pixels wide, one row at a time. */
    public byte[] crop(byte[] gray, int frameWidth) {
        byte[] out = new byte[width * height];
        for (int row = 0; row < height; row++) {
            System.arraycopy(gray, (y + row) * frameWidth + x, out, row * width, width);
        }
        return out;
    }
}
