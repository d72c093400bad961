package io.captainos.core.debian;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPPublicKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/** A throw-away RSA 2048 OpenPGP key that clear-signs documents the way the Debian archive signs InRelease. */
final class TestSigningKey {
    private static final Map<String, TestSigningKey> SHARED = new ConcurrentHashMap<>();
    private final PGPKeyPair pair;
    private final PGPPublicKeyRing publicRing;

    TestSigningKey(String userId) {
        try {
            RSAKeyPairGenerator gen = new RSAKeyPairGenerator();
            gen.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), new SecureRandom(), 2048, 80));
            AsymmetricCipherKeyPair raw = gen.generateKeyPair();
            pair = new BcPGPKeyPair(PGPPublicKey.RSA_GENERAL, raw, new Date());
            PGPKeyRingGenerator rings = new PGPKeyRingGenerator(
                    PGPSignature.POSITIVE_CERTIFICATION,
                    pair,
                    userId,
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1),
                    null,
                    null,
                    new BcPGPContentSignerBuilder(PGPPublicKey.RSA_GENERAL, HashAlgorithmTags.SHA256),
                    null);
            publicRing = rings.generatePublicKeyRing();
        } catch (PGPException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One key per user ID for the whole test run: RSA key generation is slow. */
    static TestSigningKey shared(String userId) {
        return SHARED.computeIfAbsent(userId, TestSigningKey::new);
    }

    long keyId() {
        return pair.getKeyID();
    }

    /** The public key as an armored keyring (.asc). */
    byte[] armoredPublicKey() {
        try {
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ArmoredOutputStream out = new ArmoredOutputStream(bos)) {
                publicRing.encode(out);
            }
            return bos.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The public key read back through the production keyring reader. */
    PGPPublicKeyRingCollection keyring() {
        return InReleaseVerifier.readKeyring(new ByteArrayInputStream(armoredPublicKey()), "test key");
    }

    /**
     * An RFC 4880 cleartext-signed document of {@code text} (lines ending in {@code \n}): the signature is a
     * canonical-text signature over the lines joined by CRLF, trailing spaces and tabs removed, without the line end
     * of the last line; lines starting with a dash are dash-escaped.
     */
    byte[] clearSign(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        if (text.endsWith("\n")) {
            lines.remove(lines.size() - 1);
        }
        StringBuilder canonical = new StringBuilder();
        StringBuilder doc = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n");
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (i > 0) {
                canonical.append("\r\n");
            }
            canonical.append(line.replaceAll("[ \t]+$", ""));
            doc.append(line.startsWith("-") ? "- " + line : line).append('\n');
        }
        try {
            PGPSignatureGenerator sg = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(PGPPublicKey.RSA_GENERAL, HashAlgorithmTags.SHA256),
                    pair.getPublicKey());
            sg.init(PGPSignature.CANONICAL_TEXT_DOCUMENT, pair.getPrivateKey());
            sg.update(canonical.toString().getBytes(StandardCharsets.UTF_8));
            PGPSignature sig = sg.generate();
            ByteArrayOutputStream bos = new ByteArrayOutputStream();
            try (ArmoredOutputStream out = new ArmoredOutputStream(bos)) {
                sig.encode(out);
            }
            doc.append(bos.toString(StandardCharsets.US_ASCII));
            return doc.toString().getBytes(StandardCharsets.UTF_8);
        } catch (PGPException | IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
