package dev.shoal.ingest.arena;

import dev.shoal.core.BadInputException;
import java.util.Locale;

/**
 * Parameters of a synthetic arena video. {@code frames = 0} means endless (a live source).
 *
 * @param bodyLength animal length in pixels; 0 picks 4.5% of the smaller side
 */
public record ArenaSettings(int animals, long frames, int width, int height, double fps, long seed,
                            Difficulty difficulty, double bodyLength) {

    public ArenaSettings {
        if (animals < 1) {
            throw new BadInputException("--animals " + animals + ": must be at least 1");
        }
        if (frames < 0) {
            throw new BadInputException("--frames " + frames + ": must be at least 1 (0 only for an endless live source)");
        }
        if (width < 64 || height < 64) {
            throw new BadInputException("--size " + width + " " + height + ": must be at least 64 x 64 pixels");
        }
        if (!(fps > 0)) {
            throw new BadInputException("--fps " + fps + ": must be positive");
        }
        if (difficulty == null) {
            throw new BadInputException("--difficulty is missing; give easy, medium or hard");
        }
        if (bodyLength == 0) {
            bodyLength = 0.045 * Math.min(width, height);
        }
        if (bodyLength < 8) {
            throw new BadInputException("--size " + width + " " + height + ": too small for animals of at least 8 px;"
                    + " give a larger size");
        }
        double arenaArea = Math.PI * Math.pow(0.45 * Math.min(width, height), 2);
        double bodiesArea = animals * bodyLength * bodyLength * 0.25;
        if (bodiesArea > 0.25 * arenaArea) {
            throw new BadInputException("--animals " + animals + ": too many for a " + width + "x" + height
                    + " arena (bodies would cover over a quarter of it); give fewer animals or a larger --size");
        }
    }

    /**
     * Parses a source spec such as {@code arena:animals=10,seed=3,size=1024x1024,fps=30,difficulty=medium,frames=0}.
     */
    public static ArenaSettings parse(String spec) {
        if (!spec.startsWith("arena:")) {
            throw new BadInputException(spec + ": not an arena spec; write arena:animals=N,seed=S,size=WxH,fps=R,"
                    + "difficulty=easy|medium|hard,frames=F");
        }
        int animals = 8;
        long frames = 0;
        int width = 1024;
        int height = 1024;
        double fps = 30;
        long seed = 1;
        Difficulty difficulty = Difficulty.MEDIUM;
        String body = spec.substring("arena:".length());
        for (String part : body.isEmpty() ? new String[0] : body.split(",")) {
            int eq = part.indexOf('=');
            if (eq <= 0) {
                throw new BadInputException(spec + ": '" + part + "' is not key=value");
            }
            String key = part.substring(0, eq).trim();
            String value = part.substring(eq + 1).trim();
            try {
                switch (key) {
                    case "animals" -> animals = Integer.parseInt(value);
                    case "frames" -> frames = Long.parseLong(value);
                    case "fps" -> fps = Double.parseDouble(value);
                    case "seed" -> seed = Long.parseLong(value);
                    case "difficulty" -> difficulty = Difficulty.valueOf(value.toUpperCase(Locale.ROOT));
                    case "size" -> {
                        String[] wh = value.toLowerCase(Locale.ROOT).split("x");
                        if (wh.length != 2) {
                            throw new NumberFormatException(value);
                        }
                        width = Integer.parseInt(wh[0]);
                        height = Integer.parseInt(wh[1]);
                    }
                    default -> throw new BadInputException(spec + ": unknown key '" + key
                            + "'; known: animals, frames, size, fps, seed, difficulty");
                }
            } catch (IllegalArgumentException e) {
                throw new BadInputException(spec + ": bad value '" + value + "' for " + key);
            }
        }
        return new ArenaSettings(animals, frames, width, height, fps, seed, difficulty, 0);
    }
}
