package io.captainos.core.debian;

import io.captainos.core.CaptainException;
import io.captainos.core.fetch.VerificationException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * Verifies an OpenPGP clear-signed document (a Debian {@code InRelease}) against a set of public keyrings and returns
 * the text that was signed. At least one signature must be good and made by a key of the keyrings; a signature by
 * a known key that does not verify fails the whole document.
 */
public final class InReleaseVerifier {
    private static final String BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
    private static final String SIG_BEGIN = "-----BEGIN PGP SIGNATURE-----";
    private final List<PGPPublicKeyRingCollection> keyrings;

    public InReleaseVerifier(List<PGPPublicKeyRingCollection> keyrings) {
        this.keyrings = List.copyOf(keyrings);
    }

    /** Reads keyrings in binary (.gpg) or armored (.asc) form. */
    public static PGPPublicKeyRingCollection readKeyring(InputStream in, String name) {
        try (InputStream decoded = PGPUtil.getDecoderStream(in)) {
            return new PGPPublicKeyRingCollection(decoded, new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException e) {
            throw new CaptainException("Cannot read the OpenPGP keyring " + name + ": " + e.getMessage(), e);
        }
    }

    /** The signed text, with line ends as {@code \n}; fails when no trusted signature verifies. */
    public String verify(byte[] document, String source) {
        String text = new String(document, StandardCharsets.UTF_8).replace("\r\n", "\n");
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length && !lines[i].equals(BEGIN)) {
            i++;
        }
        if (i == lines.length) {
            throw new VerificationException(source + " is not an OpenPGP clear-signed document");
        }
        i++;
        while (i < lines.length && !lines[i].isEmpty()) {
            i++; // armor headers such as "Hash: SHA256"
        }
        i++;
        List<String> body = new ArrayList<>();
        while (i < lines.length && !lines[i].equals(SIG_BEGIN)) {
            String l = lines[i++];
            body.add(l.startsWith("- ") ? l.substring(2) : l);
        }
        if (i == lines.length) {
            throw new VerificationException(source + " has no signature block");
        }
        StringBuilder armored = new StringBuilder();
        for (; i < lines.length; i++) {
            armored.append(lines[i]).append('\n');
        }
        byte[] canonical = canonical(body);
        PGPSignatureList signatures = signatures(armored.toString(), source);
        int good = 0;
        List<String> unknown = new ArrayList<>();
        for (PGPSignature sig : signatures) {
            PGPPublicKey key = find(sig.getKeyID());
            if (key == null) {
                unknown.add(String.format("%016X", sig.getKeyID()));
                continue;
            }
            if (key.hasRevocation()) {
                throw new VerificationException(
                        source + " is signed by revoked key " + String.format("%016X", sig.getKeyID()));
            }
            try {
                sig.init(new BcPGPContentVerifierBuilderProvider(), key);
                sig.update(canonical);
                if (!sig.verify()) {
                    throw new VerificationException("Bad OpenPGP signature on " + source + " by key "
                            + String.format("%016X", sig.getKeyID()) + ": the file was altered or corrupted");
                }
                good++;
            } catch (PGPException e) {
                throw new VerificationException("Cannot check the signature on " + source + ": " + e.getMessage());
            }
        }
        if (good == 0) {
            throw new VerificationException(source + " carries no signature by a trusted key (signed by "
                    + (unknown.isEmpty() ? "nobody" : String.join(", ", unknown))
                    + "). Point captain.debian.keyring at the archive's keyring.");
        }
        StringBuilder out = new StringBuilder();
        for (String l : body) {
            out.append(l).append('\n');
        }
        return out.toString();
    }

    /** RFC 4880 7.1: CRLF line ends, trailing spaces and tabs removed, no line end after the last line. */
    private static byte[] canonical(List<String> body) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < body.size(); k++) {
            if (k > 0) {
                sb.append("\r\n");
            }
            sb.append(body.get(k).replaceAll("[ \t]+$", ""));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static PGPSignatureList signatures(String armored, String source) {
        try (InputStream in =
                PGPUtil.getDecoderStream(new ByteArrayInputStream(armored.getBytes(StandardCharsets.US_ASCII)))) {
            Object o = new BcPGPObjectFactory(in).nextObject();
            if (o instanceof PGPSignatureList) {
                return (PGPSignatureList) o;
            }
            throw new VerificationException(source + ": the signature block holds no signatures");
        } catch (IOException e) {
            throw new VerificationException(source + ": unreadable signature block: " + e.getMessage());
        }
    }

    private PGPPublicKey find(long keyId) {
        for (PGPPublicKeyRingCollection ring : keyrings) {
            PGPPublicKey k = ring.getPublicKey(keyId);
            if (k != null) {
                return k;
            }
        }
        return null;
    }
}
