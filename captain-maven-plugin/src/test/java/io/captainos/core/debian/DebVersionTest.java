package io.captainos.core.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebVersionTest {
    private static int cmp(String a, String b) {
        return DebVersion.ORDER.compare(a, b);
    }

    /** Each row: a version that dpkg orders before the second. */
    @ParameterizedTest(name = "{0} < {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1.0~rc1|1.0",
                "1.0|1.0-1",
                "2.0|1:0.9",
                "1.7.24~ds1-6|1.7.24~ds1-6+deb13u1",
                "1.1.15+ds1-2|1.1.15+ds1-2+b4",
                "1.0|1.0a",
                "1.9|1.10",
                "1.0~~|1.0~",
                "1.0~|1.0",
                "1.0-1|1.0-1.1",
                "1.0-9|1.0-10",
                "1:1.0|2:0.1",
                "1.0a|1.0+",
                "1.0-1~bpo12+1|1.0-1",
                "2.2.1-1|2.2.1-1+b1",
            })
    void ordersLikeDpkg(String lower, String higher) {
        assertTrue(cmp(lower, higher) < 0, lower + " should sort before " + higher);
        assertTrue(cmp(higher, lower) > 0, higher + " should sort after " + lower);
    }

    @ParameterizedTest(name = "{0} == {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "1.7.24~ds1-6+deb13u1|1.7.24~ds1-6+deb13u1",
                "1.0|1.0",
                "1.01|1.1",
                "0:1.0|1.0",
                "1.0-0|1.0",
            })
    void equalVersionsCompareZero(String a, String b) {
        assertEquals(0, cmp(a, b));
        assertEquals(0, cmp(b, a));
    }

    @Test
    void sortsAList() {
        List<String> v = new ArrayList<>(List.of("1:0.9", "1.0-1", "1.0", "1.0~rc1", "1.10", "1.0a", "1.9"));
        v.sort(DebVersion.ORDER);
        assertEquals(List.of("1.0~rc1", "1.0", "1.0-1", "1.0a", "1.9", "1.10", "1:0.9"), v);
    }
}
