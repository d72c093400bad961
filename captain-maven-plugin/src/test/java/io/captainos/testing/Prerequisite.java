package io.captainos.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * A program, package or artifact a test needs from the machine. On a developer's machine a missing one skips the test
 * and says what to install; under CI ({@code CI=true}, as CI services and {@code .ci/run} set it) it fails the test,
 * so a CI machine that lacks it cannot pass by running nothing. Shared with the boot tests (test-jar).
 */
public final class Prerequisite {
    private Prerequisite() {}

    /** Whether this run is a CI run, where nothing may be skipped for want of a prerequisite. */
    public static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    public static void require(boolean present, String whatIsMissing) {
        if (present) {
            return;
        }
        if (ci()) {
            throw new AssertionError(
                    "missing prerequisite (CI=true, so this fails instead of skipping): " + whatIsMissing);
        }
        Assumptions.assumeTrue(false, whatIsMissing);
    }
}
