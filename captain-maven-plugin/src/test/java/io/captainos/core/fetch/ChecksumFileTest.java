package io.captainos.core.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ChecksumFileTest {
    private static final String A = "1".repeat(64);
    private static final String B = "2".repeat(64);
    private static final String C = "3".repeat(64);
    private static final String D = "4".repeat(64);

    @Test
    void containerdSha256sum() {
        assertEquals(
                A,
                ChecksumFile.digestOf(
                        A + "  containerd-2.2.1-linux-amd64.tar.gz\n",
                        "containerd-2.2.1-linux-amd64.tar.gz",
                        "containerd.sha256sum"));
    }

    @Test
    void runcSha256sumPicksTheRightLine() {
        String sums = A + "  runc.amd64\n" + B + "  runc.arm64\n" + C + "  runc.armhf\n" + D + "  runc.tar.xz\n"
                + "5".repeat(64) + "  libseccomp-2.5.6.tar.gz\n";
        assertEquals(A, ChecksumFile.digestOf(sums, "runc.amd64", "runc.sha256sum"));
        assertEquals(B, ChecksumFile.digestOf(sums, "runc.arm64", "runc.sha256sum"));
        assertEquals(D, ChecksumFile.digestOf(sums, "runc.tar.xz", "runc.sha256sum"));
    }

    @Test
    void sha256sumsWithBinaryMarkersAndOtherFiles() {
        String sums = A + " *nerdctl-full-2.1.6-linux-amd64.tar.gz\n"
                + B + " *nerdctl-2.1.6-linux-amd64.tar.gz\n"
                + C + " *nerdctl-2.1.6-linux-arm64.tar.gz\n"
                + D + " *nerdctl-2.1.6-go-mod-vendor.tar.gz\n";
        assertEquals(B, ChecksumFile.digestOf(sums, "nerdctl-2.1.6-linux-amd64.tar.gz", "SHA256SUMS"));
        assertEquals(C, ChecksumFile.digestOf(sums, "nerdctl-2.1.6-linux-arm64.tar.gz", "SHA256SUMS"));
        assertEquals(A, ChecksumFile.digestOf(sums, "nerdctl-full-2.1.6-linux-amd64.tar.gz", "SHA256SUMS"));
    }

    @Test
    void dotSlashPrefixAndCrlfAndUpperCase() {
        assertEquals(
                A,
                ChecksumFile.digestOf(
                        A + "  ./cni-plugins-linux-amd64-v1.8.0.tgz\n",
                        "cni-plugins-linux-amd64-v1.8.0.tgz",
                        "cni.sha256"));
        assertEquals(
                "ab".repeat(32),
                ChecksumFile.digestOf("AB".repeat(32) + "  x.tgz\r\n" + B + "  y.tgz\r\n", "x.tgz", "sums"));
        assertEquals(B, ChecksumFile.digestOf("AB".repeat(32) + "  x.tgz\r\n" + B + "  y.tgz\r\n", "y.tgz", "sums"));
    }

    @Test
    void missingAssetFails() {
        VerificationException e = assertThrows(
                VerificationException.class,
                () -> ChecksumFile.digestOf(
                        A + "  runc.arm64\n" + B + "  runc.amd64.asc\n", "runc.amd64", "runc.sha256sum"));
        assertTrue(e.getMessage().contains("runc.amd64"), e.getMessage());
        assertTrue(e.getMessage().contains("runc.sha256sum"), e.getMessage());
        assertThrows(VerificationException.class, () -> ChecksumFile.digestOf("", "runc.amd64", "empty"));
    }

    @Test
    void aNameThatOnlyEndsLikeTheAssetDoesNotMatch() {
        assertThrows(
                VerificationException.class, () -> ChecksumFile.digestOf(A + "  xrunc.amd64\n", "runc.amd64", "sums"));
    }
}
