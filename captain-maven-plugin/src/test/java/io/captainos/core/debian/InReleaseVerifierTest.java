package io.captainos.core.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.captainos.core.fetch.VerificationException;
import io.captainos.testing.Prerequisite;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class InReleaseVerifierTest {
    private static final String TEXT = "Origin: Debian\nSuite: stable\nCodename: trixie\nDescription: trailing \t\n"
            + "-- dashed line\n- another\nSHA256:\n " + "ab".repeat(32) + " 123 main/binary-amd64/Packages.xz\n";
    private static TestSigningKey key;
    private static TestSigningKey other;

    @BeforeAll
    static void keys() {
        key = TestSigningKey.shared("Test Archive Key <archive@example.org>");
        other = TestSigningKey.shared("Someone Else <stranger@example.org>");
    }

    @Test
    void returnsTheSignedTextWithoutDashEscapes() {
        String text = new InReleaseVerifier(List.of(key.keyring())).verify(key.clearSign(TEXT), "test");
        assertEquals(TEXT, text);
    }

    @Test
    void acceptsCrlfLineEnds() {
        byte[] doc = new String(key.clearSign(TEXT), StandardCharsets.UTF_8)
                .replace("\n", "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        assertEquals(TEXT, new InReleaseVerifier(List.of(key.keyring())).verify(doc, "test"));
    }

    @Test
    void anyTrustedKeyringWillDo() {
        InReleaseVerifier v = new InReleaseVerifier(List.of(other.keyring(), key.keyring()));
        assertEquals(TEXT, v.verify(key.clearSign(TEXT), "test"));
    }

    @Test
    void changedTextFails() {
        String doc =
                new String(key.clearSign(TEXT), StandardCharsets.UTF_8).replace("Codename: trixie", "Codename: trixiE");
        VerificationException e = assertThrows(
                VerificationException.class,
                () -> new InReleaseVerifier(List.of(key.keyring()))
                        .verify(doc.getBytes(StandardCharsets.UTF_8), "test"));
        assertTrue(e.getMessage().contains("Bad OpenPGP signature"), e.getMessage());
    }

    @Test
    void addedLineFails() {
        String doc = new String(key.clearSign(TEXT), StandardCharsets.UTF_8)
                .replace("Suite: stable\n", "Suite: stable\nExtra: field\n");
        assertThrows(
                VerificationException.class,
                () -> new InReleaseVerifier(List.of(key.keyring()))
                        .verify(doc.getBytes(StandardCharsets.UTF_8), "test"));
    }

    @Test
    void untrustedKeyFails() {
        VerificationException e = assertThrows(
                VerificationException.class,
                () -> new InReleaseVerifier(List.of(other.keyring())).verify(key.clearSign(TEXT), "test"));
        assertTrue(e.getMessage().contains("no signature by a trusted key"), e.getMessage());
    }

    @Test
    void notClearSignedFails() {
        InReleaseVerifier v = new InReleaseVerifier(List.of(key.keyring()));
        assertThrows(VerificationException.class, () -> v.verify(TEXT.getBytes(StandardCharsets.UTF_8), "test"));
        String noSig = new String(key.clearSign(TEXT), StandardCharsets.UTF_8);
        String cut = noSig.substring(0, noSig.indexOf("-----BEGIN PGP SIGNATURE-----"));
        assertThrows(VerificationException.class, () -> v.verify(cut.getBytes(StandardCharsets.UTF_8), "test"));
    }

    private static PGPPublicKeyRingCollection bundledKeyring() throws IOException {
        try (InputStream in = InReleaseVerifier.class.getResourceAsStream("/io/captainos/debian-archive-keyring.gpg")) {
            assertNotNull(in, "the bundled keyring is missing");
            return InReleaseVerifier.readKeyring(in, "bundled");
        }
    }

    @Test
    void bundledKeyringLoads() throws IOException {
        PGPPublicKeyRingCollection ring = bundledKeyring();
        assertTrue(ring.size() > 0);
    }

    @Test
    void liveTrixieInReleaseVerifiesWithTheBundledKeyring() throws IOException, InterruptedException {
        byte[] doc;
        try {
            HttpResponse<byte[]> r = HttpClient.newBuilder()
                    .connectTimeout(Duration.ofSeconds(10))
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://deb.debian.org/debian/dists/trixie/InRelease"))
                                    .timeout(Duration.ofSeconds(30))
                                    .build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            Prerequisite.require(r.statusCode() == 200, "deb.debian.org answered HTTP " + r.statusCode());
            doc = r.body();
        } catch (IOException e) {
            Prerequisite.require(false, "deb.debian.org is not reachable: " + e);
            return;
        }
        InReleaseVerifier v = new InReleaseVerifier(List.of(bundledKeyring()));
        String text = v.verify(doc, "live trixie InRelease");
        ReleaseFile release = new ReleaseFile(text);
        release.requireSuite("trixie", "live");
        assertNotNull(release.entry("main/binary-amd64/Packages.xz"));
        assertFalse(release.entry("main/binary-amd64/Packages.xz").sha256().isEmpty());

        // and one changed byte breaks it
        String tampered = new String(doc, StandardCharsets.UTF_8).replaceFirst("Codename: trixie", "Codename: trixiE");
        assertThrows(
                VerificationException.class, () -> v.verify(tampered.getBytes(StandardCharsets.UTF_8), "tampered"));
    }
}
