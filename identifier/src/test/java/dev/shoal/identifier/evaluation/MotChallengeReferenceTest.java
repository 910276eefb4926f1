package dev.shoal.identifier.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** py-motmetrics' TUD reference figures (shared/data/motmetrics), IoU threshold 0.5. */
class MotChallengeReferenceTest {

    private static final double TOLERANCE = 1e-3;
    private static Path motmetrics;

    @BeforeAll
    static void locateData() {
        String shared = System.getProperty("shoal.shared.data");
        motmetrics = shared == null ? null : Path.of(shared, "motmetrics");
        assumeTrue(motmetrics != null && Files.isDirectory(motmetrics),
                "shared data not found: set -Dshoal.shared.data to the folder holding motmetrics/");
    }

    private static EvaluationResult evaluate(String sequence) {
        return TrackingEvaluation.ofBoxes(Mot15Reader.read(motmetrics.resolve(sequence).resolve("gt.txt")),
                Mot15Reader.read(motmetrics.resolve(sequence).resolve("test.txt")), 0.5);
    }

    /** The README's table: IDF1, IDP, IDR, recall, precision, FP, FN, switches, MOTA, MOTP. */
    private static void assertTable(EvaluationResult r, double idf1, double idp, double idr, double recall,
                                    double precision, long fp, long fn, long switches, double mota, double motp) {
        assertEquals(idf1, r.idf1(), TOLERANCE, "IDF1");
        assertEquals(idp, r.idPrecision(), TOLERANCE, "IDP");
        assertEquals(idr, r.idRecall(), TOLERANCE, "IDR");
        assertEquals(recall, r.recall(), TOLERANCE, "recall");
        assertEquals(precision, r.precision(), TOLERANCE, "precision");
        assertEquals(fp, r.falsePositives(), "FP");
        assertEquals(fn, r.misses(), "FN");
        assertEquals(switches, r.idSwitches(), "ID switches");
        assertEquals(mota, r.mota(), TOLERANCE, "MOTA");
        assertEquals(motp, r.motp(), TOLERANCE, "MOTP");
    }

    @Test
    void reproducesTheReadmeTableForTudCampus() {
        assertTable(evaluate("TUD-Campus"), 0.557659, 0.729730, 0.451253, 0.582173, 0.941441,
                13, 150, 7, 0.526462, 0.277201);
    }

    @Test
    void reproducesTheReadmeTableForTudStadtmitte() {
        assertTable(evaluate("TUD-Stadtmitte"), 0.644619, 0.819760, 0.531142, 0.608997, 0.939920,
                45, 452, 7, 0.564014, 0.345904);
    }

    @Test
    void reproducesTheReadmeTableForBothSequencesTogether() {
        assertTable(evaluate("TUD-Campus").plus(evaluate("TUD-Stadtmitte")), 0.624296, 0.799176, 0.512211,
                0.602640, 0.940268, 58, 602, 14, 0.555116, 0.330177);
    }

    /** Every column of expected_TUD.csv that this evaluator computes, per row (sequences and OVERALL). */
    @Test
    void reproducesExpectedTudCsv() throws IOException {
        List<String> lines = Files.readAllLines(motmetrics.resolve("expected_TUD.csv"));
        String[] header = lines.get(0).split(",", -1);
        Map<String, EvaluationResult> results = new HashMap<>();
        results.put("TUD-Campus", evaluate("TUD-Campus"));
        results.put("TUD-Stadtmitte", evaluate("TUD-Stadtmitte"));
        results.put("OVERALL", results.get("TUD-Campus").plus(results.get("TUD-Stadtmitte")));
        int checked = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] values = line.split(",", -1);
            EvaluationResult r = results.get(values[0]);
            for (int c = 1; c < header.length; c++) {
                Double ours = ourValue(r, header[c]);
                if (ours != null) {
                    assertEquals(Double.parseDouble(values[c]), ours, TOLERANCE, values[0] + " " + header[c]);
                    checked++;
                }
            }
        }
        assertEquals(3 * 20, checked, "columns compared");
    }

    private static Double ourValue(EvaluationResult r, String column) {
        return switch (column) {
            case "idf1" -> r.idf1();
            case "idp" -> r.idPrecision();
            case "idr" -> r.idRecall();
            case "recall" -> r.recall();
            case "precision" -> r.precision();
            case "num_unique_objects" -> (double) r.truthIdentities();
            case "num_false_positives" -> (double) r.falsePositives();
            case "num_misses" -> (double) r.misses();
            case "num_switches" -> (double) r.idSwitches();
            case "num_fragmentations" -> (double) r.fragmentations();
            case "mota" -> r.mota();
            case "motp" -> r.motp();
            case "num_frames" -> (double) r.frames();
            case "num_matches" -> (double) (r.matches() - r.idSwitches());
            case "num_objects" -> (double) r.truthAnimalFrames();
            case "num_predictions" -> (double) r.trackAnimalFrames();
            case "num_detections" -> (double) r.matches();
            case "idtp" -> (double) r.idTruePositives();
            case "idfp" -> (double) r.idFalsePositives();
            case "idfn" -> (double) r.idFalseNegatives();
            default -> null;
        };
    }
}
