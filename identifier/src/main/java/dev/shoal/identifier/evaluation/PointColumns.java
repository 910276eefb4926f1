package dev.shoal.identifier.evaluation;

/**
 * Which header columns of a point CSV hold what.
 *
 * @param frame    frame index (0 or more)
 * @param identity identity label (any text)
 * @param x        x in pixels; NaN or empty means the animal is missing in that frame
 * @param y        y in pixels; NaN or empty means missing
 * @param touching 0/1 flag; {@code null} means: use a column named {@code touching} when there is
 *                 one, else treat every animal as not touching
 * @param optionPrefix the command-line option prefix that maps these columns (e.g. {@code --truth}),
 *                 named in error messages as the fix
 * @param firstFrame the number the file gives the video's first frame: 0, or 1 for files that count
 *                 from one (Tracktor, MOTChallenge)
 */
public record PointColumns(String frame, String identity, String x, String y, String touching, String optionPrefix,
                           int firstFrame) {

    /** Columns of a file that counts frames from 0. */
    public PointColumns(String frame, String identity, String x, String y, String touching, String optionPrefix) {
        this(frame, identity, x, y, touching, optionPrefix, 0);
    }

    /** The arena truth ({@code frame,identity,x,y,angle,touching}) and shoal's trajectories.csv. */
    public static PointColumns shoalDefaults(String optionPrefix) {
        return new PointColumns("frame", "identity", "x", "y", null, optionPrefix);
    }
}
